import { describe, expect, it } from 'vitest';
import { ClassifiedFailure, remediesOf, type FailureCatalogue } from './classified-failure';
import { StagecraftError } from './errors';

type Kind = 'gone' | 'slow';
const CATALOGUE: FailureCatalogue<Kind> = {
  gone: { code: 'not-found', remedy: 'Look elsewhere.' },
  slow: { code: 'io', remedy: 'Wait longer.' },
};

describe('ClassifiedFailure', () => {
  it('takes its error code and remedy from the catalogue entry of its kind', () => {
    const failure = new ClassifiedFailure<Kind>('slow', CATALOGUE, 'db1: no answer');
    expect(failure).toBeInstanceOf(StagecraftError);
    expect([failure.kind, failure.code, failure.message, failure.hint]).toEqual(['slow', 'io', 'db1: no answer', 'Wait longer.']);
  });

  it('lists the remedies alone by kind', () => {
    expect(remediesOf(CATALOGUE)).toEqual({ gone: 'Look elsewhere.', slow: 'Wait longer.' });
  });
});
