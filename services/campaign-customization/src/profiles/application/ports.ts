import type { AttributionState, GroupCounts } from '../../lift/domain';
import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import type { CustomerState, OutboxEntry } from '../domain/customer-state';

// What the projection's use cases, and the readers of customers in other folders, need of the
// customer store and of the next-action snapshots. Abstract classes are also Nest injection
// tokens: profiles.module binds each to its infrastructure, unit tests pass plain fakes.

/** One customer as read: its state and the version the write is conditional on. */
export interface StoredState {
  state: CustomerState;
  /** Version read; the write is conditional on it. 0 with exists false: no document yet. */
  version: number;
  exists: boolean;
}

/** One customer's new state, written only if the document is still at `version` (inserted when it did not exist). */
export interface StateWrite {
  state: CustomerState;
  version: number;
  exists: boolean;
}

/** The combined projection, one document per customer (CustomerStateRepository in the service). */
export abstract class CustomerStates {
  abstract find(customerIds: readonly string[]): Promise<Map<string, StoredState>>;
  abstract findOne(customerId: string): Promise<StoredState | undefined>;
  /** Writes each customer conditional on its version; how many landed (fewer, or -1: a concurrent writer won one). */
  abstract write(writes: readonly StateWrite[]): Promise<number>;
  /** Removes exactly these published entries from the outboxes, without bumping the version. */
  abstract clearOutboxes(cleared: ReadonlyArray<{ customerId: string; entries: readonly OutboxEntry[] }>): Promise<void>;
  /** A page of customer ids in _id order, for back-fills. */
  abstract page(afterId: string, limit: number): Promise<Array<{ customerId: string; merged: boolean }>>;
  /** A page of live customers' states in _id order (merged-away ids skipped); `last` is the last id read. */
  abstract statesPage(afterId: string, limit: number): Promise<{ states: CustomerState[]; last?: string }>;
  /** Customers not merged away. */
  abstract countCustomers(): Promise<number>;
  /** Customers whose outbox was left unpublished (a crash between write and publish). */
  abstract withStaleOutbox(olderThan: Date, limit: number): Promise<string[]>;
  /** Customers exposed to the campaign per group, and how many converted (merged-away ids excluded). */
  abstract attributionCounts(campaignId: string): Promise<{ treated: GroupCounts; control: GroupCounts }>;
  /** The campaign's exposed customers' attribution. */
  abstract attributionStates(campaignId: string): Promise<AttributionState[]>;
}

/** What the next-action path needs of a customer. */
export interface DecisionSnapshot {
  profile: CustomerProfile;
  memberships: Record<string, number>;
  mergedInto?: string;
}

/** A snapshot as the shared copy holds it: the projection document's version and the JSON text. */
export interface HeldSnapshot {
  version: number;
  json: string;
}

/** Every instance's shared copy of each customer's decision snapshot (DecisionSnapshotCache in the service). */
export abstract class DecisionSnapshots {
  /** Stores each snapshot unless a version at least as new is held. */
  abstract put(entries: ReadonlyArray<{ customerId: string; version: number; snapshot: DecisionSnapshot }>): Promise<void>;
  /** Removes snapshots, so that readers fall back to the customer store. */
  abstract drop(customerIds: readonly string[]): Promise<void>;
  abstract get(customerId: string): Promise<HeldSnapshot | undefined>;
}

/** Leases that let one instance at a time run a background job (Redis leases in the service: RedisJobLeases). */
export abstract class JobLeases {
  /** Runs `work` holding the lease on `key` (kept extended while it runs); skips it when another instance holds it. */
  abstract withLease(key: string, ttlMs: number, work: () => Promise<void>): Promise<void>;
}
