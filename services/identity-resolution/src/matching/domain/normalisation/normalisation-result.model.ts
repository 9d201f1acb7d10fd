/**
 * Normalisers never throw: bad input is ordinary input at the edge of an identity service, and a
 * typed failure lets the caller record why a value was not used as evidence instead of crashing
 * the consumer.
 */
export type NormalisationFailureReason = 'empty' | 'invalid_format' | 'invalid_value' | 'out_of_range' | 'unsupported';

export interface NormalisationFailure {
  readonly ok: false;
  readonly field: string;
  readonly reason: NormalisationFailureReason;
  readonly detail: string;
}

export interface NormalisationSuccess<T> {
  readonly ok: true;
  readonly value: T;
}

export type NormalisationResult<T> = NormalisationSuccess<T> | NormalisationFailure;

export function normalised<T>(value: T): NormalisationSuccess<T> {
  return { ok: true, value };
}

export function normalisationFailure(field: string, reason: NormalisationFailureReason, detail: string): NormalisationFailure {
  return { ok: false, field, reason, detail };
}

/** Convenience for callers that only need the value and treat any failure as "missing". */
export function valueOrUndefined<T>(result: NormalisationResult<T>): T | undefined {
  return result.ok ? result.value : undefined;
}
