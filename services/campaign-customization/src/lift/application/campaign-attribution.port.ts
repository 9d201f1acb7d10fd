import type { AttributionState } from '../domain/attribution';
import type { GroupCounts } from '../domain/lift.statistics';

/**
 * The customers' standing in one campaign's experiment, as lift reads it. Owned here and
 * implemented by `profiles` (attribution is a field of each customer's state, written by the
 * projection, which also uses the lift domain), so `lift` imports nothing of `profiles`.
 */
export abstract class CampaignAttribution {
  /** Exposed and converted customers per group. */
  abstract counts(campaignId: string): Promise<{ treated: GroupCounts; control: GroupCounts }>;
  /** The attribution of every customer exposed to the campaign. */
  abstract states(campaignId: string): Promise<AttributionState[]>;
}
