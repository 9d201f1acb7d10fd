import { Inject, Injectable } from '@nestjs/common';
import { InjectLogger, type Logger } from '@o2o/observability';
import type { CampaignCustomizationConfig } from '../../config/campaign-customization.config';
import { CAMPAIGN_CONFIG } from '../../campaign.tokens';
import type { CampaignDefinition } from '../domain/campaign-definition';
import { CampaignChangeNotices, LiveCampaigns, StoredCampaigns } from '../application/ports';

/** How many TTLs a list may be served while a reload runs, before callers wait for the reload. */
const SERVE_WHILE_RELOADING = 5;

/**
 * Campaigns as the hot paths see them, read from MongoDB only when they changed. Every save
 * (through any instance's API) sends a change notice to every instance, which drops its copy;
 * the next caller reloads. While notices are heard a copy is kept up to
 * CAMPAIGN_CATALOG_MAX_AGE_MS (a bound for a notice lost on its way, not a polling interval); while
 * they are not (Redis away), for CACHE_TTL_MS, as before notices. Once the age is over, the held
 * list is still served while one reload runs, so requests never queue behind a MongoDB read,
 * unless the list is older than a few ages (a reload kept failing).
 */
@Injectable()
export class CampaignCatalog implements LiveCampaigns {
  private cached: { at: number; campaigns: CampaignDefinition[] } | undefined;
  private loading: Promise<CampaignDefinition[]> | undefined;
  /** Bumped by every drop: a load started before a change must not be cached after it. */
  private generation = 0;

  constructor(
    private readonly repository: StoredCampaigns,
    private readonly notices: CampaignChangeNotices,
    @Inject(CAMPAIGN_CONFIG) private readonly config: CampaignCustomizationConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    notices.listen(() => this.drop());
  }

  async all(): Promise<CampaignDefinition[]> {
    const cached = this.cached;
    const age = cached === undefined ? Infinity : Date.now() - cached.at;
    const maxAge = this.notices.listening ? this.config.CAMPAIGN_CATALOG_MAX_AGE_MS : this.config.CACHE_TTL_MS;
    if (cached !== undefined && age < maxAge) return cached.campaigns;
    const reload = this.reload();
    if (cached !== undefined && age < maxAge * SERVE_WHILE_RELOADING) {
      reload.catch(() => undefined);
      return cached.campaigns;
    }
    return reload;
  }

  async invalidate(): Promise<void> {
    this.drop();
    try {
      await this.notices.announce();
    } catch (error) {
      this.logger.warn(
        { err: error },
        'campaign change notice not sent; other instances see the change when their copy reaches CAMPAIGN_CATALOG_MAX_AGE_MS',
      );
    }
  }

  private drop(): void {
    this.cached = undefined;
    this.loading = undefined;
    this.generation += 1;
  }

  /** One load at a time: under load every request would otherwise read MongoDB when the copy is dropped. */
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
