import type { OutgoingEvent } from '@o2o/kafka';
import type { CapCheck, ContactCounts } from '../../campaigns/domain/contact-cap';
import type { DecisionSnapshot } from '../../profiles/application/ports';

// What next-action's use cases need from the outside. Abstract classes are also Nest injection
// tokens: next-action.module binds each to its infrastructure, unit tests pass plain fakes.

/** One customer's snapshot as this process holds it, with the projection version it is at. */
export interface VersionedSnapshot {
  customerId: string;
  version: number;
  snapshot: DecisionSnapshot;
}

/** Identifier -> customer -> decision snapshot (CustomerLookup in the service). */
export abstract class CustomerSnapshots {
  /** The customer an identifier belongs to ("customerId" is accepted as a type); undefined when unknown. */
  abstract resolve(type: string, rawValue: string): Promise<string | undefined>;
  /** The customer's snapshot and those it was merged into, in order; undefined when unknown. */
  abstract chain(customerId: string, fromMongo?: boolean): Promise<VersionedSnapshot[] | undefined>;
  /** Forgets snapshots found out of date (the next chain reloads them). */
  abstract forget(customerIds: readonly string[]): void;
}

/** Contacts made, for the customer screen (ContactCounterStore in the service). */
export abstract class ContactHistory {
  abstract history(
    customerId: string,
    needed: ReadonlyArray<{ scope: string; windowHours: number; key: string }>,
    campaignIds: readonly string[],
    now: Date,
    latest: number,
  ): Promise<{ counts: Map<string, number>; contacts: Array<{ contactId: string; at: string; campaignId?: string }> }>;
}

/** Contact counts under the caps, and the contact recorded atomically with their check (ContactCounterStore in the service). */
export abstract class ContactCaps {
  /**
   * The counts of the given (scope, window) keys and the snapshot versions of the given
   * customers, in one read; both empty when the counters cannot be read (no contact is then allowed).
   */
  abstract read(
    customerId: string,
    needed: ReadonlyArray<{ scope: string; windowHours: number; key: string }>,
    now: Date,
    versionsOf: readonly string[],
  ): Promise<{ counts: ContactCounts; versions: ReadonlyMap<string, number> }>;
  /**
   * Records one contact under every scope if the caps still allow it and the customer's snapshot
   * is still at `snapshotVersion`: 'capped' when a cap was reached, 'stale' when the customer changed.
   */
  abstract reserve(
    customerId: string,
    snapshotVersion: number,
    scopes: readonly string[],
    checks: readonly CapCheck[],
    contactId: string,
    now: Date,
  ): Promise<'reserved' | 'capped' | 'stale'>;
}

/** Kafka did not take the decision: nothing was answered, the caller retries with its Idempotency-Key. */
export class DecisionNotStoredError extends Error {
  constructor(cause: unknown) {
    super('the decision could not be stored; retry with the same Idempotency-Key', { cause });
    this.name = 'DecisionNotStoredError';
  }
}

/** Decisions published for the channels and for attribution (DecisionPublisher in the service). */
export abstract class DecisionEvents {
  /** Resolves once Kafka acknowledged the decision; else throws DecisionNotStoredError. */
  abstract publish(event: OutgoingEvent): Promise<void>;
}
