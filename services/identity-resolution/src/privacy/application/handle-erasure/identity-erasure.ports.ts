/** An identifier an erased customer held. */
export interface OwnedIdentifier {
  readonly _id: string;
  readonly type: string;
  readonly value: string;
}

/** Documents deleted by an erasure, by collection. */
export interface ErasedCounts {
  readonly identifiers: number;
  readonly customers: number;
  readonly traitRecords: number;
  readonly reviews: number;
}

/** The identity graph as access and erasure read and delete it (IdentityGraphErasure in the service). */
export abstract class ErasableGraph {
  /** Everything stored about the customers: identifiers, customers, trait records, reviews. */
  abstract exportData(customerIds: string[]): Promise<Record<string, unknown>>;
  /** The identifiers the customers hold now or first held. */
  abstract identifiersOwnedBy(customerIds: string[]): Promise<OwnedIdentifier[]>;
  /**
   * Deletes the identifiers, the customers (and those merged into them), their trait records
   * with the blocking postings only they held, and their review entries.
   */
  abstract erase(customerIds: string[], identifierIds: string[]): Promise<ErasedCounts>;
}

/** The platform's data keys (DataKeyStore in the service): destroying a subject's key shreds what the topics hold under it. */
export abstract class DataKeys {
  /** Destroys the subjects' keys; how many there were. */
  abstract destroy(subjects: string[]): Promise<number>;
}
