import type { CampaignDefinition } from '../domain/campaign-definition';

// What campaigns' use cases and readers need from the outside. Abstract classes are also Nest
// injection tokens: campaigns.module binds each to its infrastructure, unit tests pass plain fakes.

/** A stored campaign: its current definition and the versions saved before it. */
export interface CampaignDocument {
  _id: string;
  definition: CampaignDefinition;
  /** Every saved version, oldest first (bounded): decisions name the version they used. */
  history: Array<CampaignDefinition & { savedAt: string }>;
  createdAt: string;
  updatedAt: string;
}

export class CampaignConflictError extends Error {
  constructor(id: string) {
    super(`campaign ${id} was changed concurrently; retry`);
    this.name = 'CampaignConflictError';
  }
}

/** The campaigns as stored (CampaignRepository in the service). */
export abstract class StoredCampaigns {
  /** Every stored campaign definition, by id. */
  abstract all(): Promise<CampaignDefinition[]>;
  abstract get(id: string): Promise<CampaignDocument | null>;
  /** Stores a new campaign; false when the id is taken. */
  abstract insert(definition: CampaignDefinition): Promise<boolean>;
  /** Saves the next version, conditional on the version read; CampaignConflictError when it moved on. */
  abstract save(current: CampaignDocument, next: CampaignDefinition): Promise<CampaignDocument>;
}

/** The campaigns as the hot paths read them, cached (CampaignCatalog in the service). */
export abstract class LiveCampaigns {
  abstract all(): Promise<CampaignDefinition[]>;
  /**
   * Called after this process saved a campaign: drops this process's copy and tells the other
   * instances to drop theirs. Never fails (a notice that could not be sent is logged; the others
   * then see the change when their copy reaches its maximum age).
   */
  abstract invalidate(): Promise<void>;
}

/**
 * "The campaigns changed", told to every instance (Redis pub/sub in the service), so each one
 * reloads its catalog on a change instead of on a timer.
 */
export abstract class CampaignChangeNotices {
  /** Tells every instance listening (this one included) that a campaign was saved. */
  abstract announce(): Promise<void>;
  /**
   * Calls `changed` on every notice, and also when notices may have been missed (the channel was
   * lost, or has just been heard again after a loss).
   */
  abstract listen(changed: () => void): void;
  /** True while notices are heard: a copy may then be kept until a notice says otherwise. */
  abstract get listening(): boolean;
}
