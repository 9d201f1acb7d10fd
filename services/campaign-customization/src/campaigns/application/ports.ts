import type { CampaignDefinition } from '../domain/campaign-definition';

// What campaigns' readers need from the outside. Abstract classes are also Nest injection tokens:
// campaigns.module binds each to its infrastructure, unit tests pass plain fakes.

/** Every stored campaign definition (CampaignRepository in the service). */
export abstract class StoredCampaigns {
  abstract all(): Promise<CampaignDefinition[]>;
}

/** The campaigns as the hot paths read them, cached (CampaignCatalog in the service). */
export abstract class LiveCampaigns {
  abstract all(): Promise<CampaignDefinition[]>;
}
