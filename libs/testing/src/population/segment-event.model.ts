/**
 * A Segment-spec message as the generator emits it; it satisfies segmentMessageV1 of the
 * contracts (checked by the generator's tests), kept structural here so that the generator
 * stays a plain data factory.
 */
export interface SyntheticSegmentEvent {
  readonly type: 'identify' | 'track' | 'page' | 'alias';
  readonly messageId: string;
  readonly timestamp: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  readonly previousId?: string;
  readonly event?: string;
  readonly name?: string;
  readonly traits?: Readonly<Record<string, unknown>>;
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly context: Readonly<Record<string, unknown>>;
}
