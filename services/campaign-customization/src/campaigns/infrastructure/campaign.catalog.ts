import { Inject, Injectable } from '@nestjs/common';
import type { CampaignCustomizationConfig } from '../../config/campaign-customization.config';
import { CAMPAIGN_CONFIG } from '../../campaign.tokens';
import type { CampaignDefinition } from '../domain/campaign-definition';
import { LiveCampaigns, StoredCampaigns } from '../application/ports';

/** How many TTLs a list may be served while a reload runs, before callers wait for the reload. */
const SERVE_WHILE_RELOADING = 5;

/**
 * Campaigns as the hot paths see them: cached for CACHE_TTL_MS, so the next-action path does
 * not read MongoDB for them on every request. Another instance's edit is seen within the TTL
 * (plus the reload's own duration); this instance's own edits at once (invalidate). Once the
 * TTL is over, the held list is still served while one reload runs, so requests never queue
 * behind a MongoDB read, unless the list is older than a few TTLs (a reload kept failing).
 */
@Injectable()
export class CampaignCatalog implements LiveCampaigns {
  private cached: { at: number; campaigns: CampaignDefinition[] } | undefined;
  private loading: Promise<CampaignDefinition[]> | undefined;
  /** Bumped by invalidate: a load started before an edit must not be cached after it. */
  private generation = 0;

  constructor(
    private readonly repository: StoredCampaigns,
    @Inject(CAMPAIGN_CONFIG) private readonly config: CampaignCustomizationConfig,
  ) {}

  async all(): Promise<CampaignDefinition[]> {
    const cached = this.cached;
    const age = cached === undefined ? Infinity : Date.now() - cached.at;
    if (cached !== undefined && age < this.config.CACHE_TTL_MS) return cached.campaigns;
    const reload = this.reload();
    if (cached !== undefined && age < this.config.CACHE_TTL_MS * SERVE_WHILE_RELOADING) {
      reload.catch(() => undefined);
      return cached.campaigns;
    }
    return reload;
  }

  invalidate(): void {
    this.cached = undefined;
    this.loading = undefined;
    this.generation += 1;
  }

  /** One load at a time: under load every request would otherwise read MongoDB when the TTL ends. */
  private reload(): Promise<CampaignDefinition[]> {
    if (this.loading !== undefined) return this.loading;
    const started = Date.now();
    const generation = this.generation;
    const loading = this.repository
      .all()
      .then((campaigns) => {
        if (generation === this.generation) this.cached = { at: started, campaigns };
        return campaigns;
      })
      .finally(() => {
        if (this.loading === loading) this.loading = undefined;
      });
    this.loading = loading;
    return loading;
  }
}
