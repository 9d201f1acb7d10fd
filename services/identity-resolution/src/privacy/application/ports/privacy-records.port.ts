/** One service's answer to a request: when, and what it removed (counts only). */
export interface PrivacyAcknowledgement {
  at: string;
  deleted?: Record<string, number>;
  tombstonedTopics?: string[];
}

/** An access or erasure request and each service's answer (the PrivacyRequest schema stores it). */
export interface PrivacyRequestRecord {
  _id: string;
  kind: 'erasure' | 'export';
  /** Kept while the request runs (exports are assembled by it); removed when an erasure completes. */
  customerId?: string;
  customerPseudonym: string;
  expectedServices: string[];
  /** Per service: its acknowledgement. */
  acknowledgements: Record<string, PrivacyAcknowledgement>;
  /** Export parts, removed as soon as the export has been served. */
  parts: Record<string, unknown>;
  /** When the export was served or given up: parts arriving later are discarded, never stored. */
  partsClosedAt?: Date;
  status: 'pending' | 'completed';
  requestedAt: Date;
  completedAt?: Date;
  /** Outbox: 'pending' until Kafka acknowledged the request's event, stored beside it as `outboxJson`. */
  outbox?: 'pending';
  outboxJson?: string;
}

export interface NewAuditEntry {
  requestId: string;
  kind: 'erasure' | 'export';
  action: 'requested' | 'acknowledged' | 'completed' | 'served' | 'timed-out';
  customerPseudonym: string;
  identifierType: string;
  service?: string;
}

/**
 * Privacy requests and their audit as the orchestrator reads and writes them (PrivacyRepository
 * in the service). An abstract class so it doubles as the Nest injection token; unit tests pass
 * plain fakes.
 */
export abstract class PrivacyRequests {
  /** Creates the request with its event in the outbox (one document write). */
  abstract create(
    request: Omit<PrivacyRequestRecord, 'acknowledgements' | 'parts' | 'status' | 'completedAt' | 'outbox' | 'outboxJson'>,
    event: { key: string; event: unknown },
  ): Promise<void>;
  /** Kafka has the requests' events: their outbox entries go. */
  abstract published(requestIds: string[]): Promise<void>;
  abstract get(requestId: string): Promise<PrivacyRequestRecord | null>;
  /** Drops an export's parts once served; true for the call that closed them. */
  abstract dropParts(requestId: string): Promise<boolean>;
  abstract record(entry: NewAuditEntry): Promise<void>;
}

/** Identifiers of erased customers, as keyed hashes (PrivacyRepository in the service). */
export abstract class ErasedIdentifiers {
  abstract markErased(pseudonyms: string[], requestId: string): Promise<void>;
  /** Those of the pseudonyms that were erased. */
  abstract erasedAmong(pseudonyms: string[]): Promise<Set<string>>;
}
