import { StagecraftError, type ErrorCode } from './errors';

/** What a kind of failure means to callers: the contract's error code and what the user should do. */
export interface FailureClass {
  code: ErrorCode;
  remedy: string;
}

export type FailureCatalogue<K extends string> = Readonly<Record<K, FailureClass>>;

/** The remedies of a catalogue alone, by kind (for messages built outside a failure). */
export function remediesOf<K extends string>(catalogue: FailureCatalogue<K>): Readonly<Record<K, string>> {
  return Object.fromEntries(Object.entries<FailureClass>(catalogue).map(([kind, c]) => [kind, c.remedy])) as Record<K, string>;
}

/**
 * A failure a connector classified: `kind` for programs, the message for people, `hint` is the
 * remedy and `code` the contract's error code, both looked up from the connector's catalogue.
 */
export class ClassifiedFailure<K extends string> extends StagecraftError {
  constructor(
    readonly kind: K,
    catalogue: FailureCatalogue<K>,
    message: string,
  ) {
    super(catalogue[kind].code, message, catalogue[kind].remedy);
    this.name = 'ClassifiedFailure';
  }
}
