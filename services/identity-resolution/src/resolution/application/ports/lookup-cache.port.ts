import type { TypedIdentifier } from '../../../matching/domain';

/** The lookup API's answer: the customer an identifier belongs to and all of its identifiers. */
export interface CachedCustomer {
  readonly customerId: string;
  readonly identifiers: readonly TypedIdentifier[];
}

/**
 * The lookup cache (IdentityLookupCache: this process's memory, then Redis), by unique
 * identifier. MongoDB stays the source of truth: a miss reads the graph, and a cache that is
 * away only costs speed.
 */
export abstract class LookupCache {
  abstract get(type: string, value: string): Promise<CachedCustomer | undefined>;
  /** The answer as stored, a JSON document ready to send. */
  abstract answer(type: string, value: string): Promise<string | undefined>;
  /** The answer if this process holds it in memory; never waits. */
  abstract answerInMemory(type: string, value: string): string | undefined;
  /** Writes the current state of customers under each of their unique identifiers. */
  abstract store(customers: ReadonlyMap<string, readonly TypedIdentifier[]>, removed?: readonly string[]): Promise<void>;
  /** Drops the entries of identifiers that no longer point where they did. */
  abstract forgetIdentifiers(identifiers: readonly TypedIdentifier[]): Promise<void>;
}
