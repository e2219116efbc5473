import type { z } from 'zod';

/** One call of the contract: its input and output, declared once, checked at both ends. */
export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** One line for humans: shown in the CLI's and the host's error messages. */
  summary: string;
}

export const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O): CallSpec<I, O> => ({
  summary,
  input,
  output,
});
