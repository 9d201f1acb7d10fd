import { Inject, Injectable } from '@nestjs/common';
import type { CampaignCustomizationConfig } from '../../config/campaign-customization.config';
import { CAMPAIGN_CONFIG } from '../../campaign.tokens';
import type { CampaignDefinition } from '../domain/campaign-definition';
import { CampaignRepository } from './campaign.repository';

/**
 * Campaigns as the hot paths see them: cached for CACHE_TTL_MS, so the next-action path does
 * not read MongoDB for them on every request. Another instance's edit is seen within the TTL;
 * this instance's own edits at once (invalidate).
 */
@Injectable()
export class CampaignCatalog {
  private cached: { at: number; campaigns: CampaignDefinition[] } | undefined;
  private loading: Promise<CampaignDefinition[]> | undefined;

  constructor(
    private readonly repository: CampaignRepository,
    @Inject(CAMPAIGN_CONFIG) private readonly config: CampaignCustomizationConfig,
  ) {}

  async all(): Promise<CampaignDefinition[]> {
    const cached = this.cached;
    if (cached !== undefined && Date.now() - cached.at < this.config.CACHE_TTL_MS) return cached.campaigns;
    // One load at a time: under load every request would otherwise read MongoDB when the TTL ends.
    this.loading ??= this.repository
      .all()
      .then((campaigns) => {
        this.cached = { at: Date.now(), campaigns };
        return campaigns;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
