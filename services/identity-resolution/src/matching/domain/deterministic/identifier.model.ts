/** A typed, normalised identifier; the same shape as IdentifierV1 in the contracts. */
export interface TypedIdentifier {
  readonly type: string;
  readonly value: string;
}

export function identifierKey(identifier: TypedIdentifier): string {
  return `${identifier.type}\u0000${identifier.value}`;
}

export function sameIdentifier(a: TypedIdentifier, b: TypedIdentifier): boolean {
  return a.type === b.type && a.value === b.value;
}

/**
 * The fields of a Segment message that identity resolution reads. Structural on purpose, so the
 * domain depends on no contract package and SegmentMessageV1 values fit it directly.
 */
export interface SegmentLikeEvent {
  readonly type?: string;
  readonly userId?: string | number | null;
  readonly anonymousId?: string | number | null;
  readonly previousId?: string | number | null;
  readonly traits?: Readonly<Record<string, unknown>>;
  readonly context?: Readonly<Record<string, unknown>>;
  readonly properties?: Readonly<Record<string, unknown>>;
}
