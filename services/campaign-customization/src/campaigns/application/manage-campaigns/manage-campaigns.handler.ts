import { Injectable } from '@nestjs/common';
import { StoredSegments } from '../../../segments/application/ports';
import { parseCampaign, type CampaignDefinition } from '../../domain/campaign-definition';
import { LiveCampaigns, StoredCampaigns, type CampaignDocument } from '../ports';

export class InvalidCampaignError extends Error {
  constructor(readonly issues: Array<{ field: string; message: string }>) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    this.name = 'InvalidCampaignError';
  }
}

export class CampaignExistsError extends Error {
  constructor(id: string) {
    super(`campaign ${id} already exists; edit it with PUT /v1/campaigns/${id}`);
    this.name = 'CampaignExistsError';
  }
}

export class CampaignNotFoundError extends Error {
  constructor(id: string) {
    super(`no campaign ${id}`);
    this.name = 'CampaignNotFoundError';
  }
}

/** Campaigns are versioned by the service: every save is the next version, whatever the body says. */
@Injectable()
export class ManageCampaignsHandler {
  constructor(
    private readonly campaigns: StoredCampaigns,
    private readonly catalog: LiveCampaigns,
    private readonly segments: StoredSegments,
  ) {}

  async create(body: unknown): Promise<CampaignDocument> {
    const campaign = await this.validate(body, 1);
    if (!(await this.campaigns.insert(campaign))) throw new CampaignExistsError(campaign.id);
    await this.catalog.invalidate();
    const saved = await this.campaigns.get(campaign.id);
    if (saved === null) throw new CampaignNotFoundError(campaign.id);
    return saved;
  }

  async update(id: string, body: unknown): Promise<CampaignDocument> {
    const current = await this.campaigns.get(id);
    if (current === null) throw new CampaignNotFoundError(id);
    const withId = typeof body === 'object' && body !== null && !Array.isArray(body) ? { id, ...body } : body;
    const campaign = await this.validate(withId, current.definition.version + 1);
    if (campaign.id !== id)
      throw new InvalidCampaignError([{ field: 'id', message: `the body names campaign ${campaign.id}, the path ${id}` }]);
    const saved = await this.campaigns.save(current, campaign);
    await this.catalog.invalidate();
    return saved;
  }

  private async validate(body: unknown, version: number): Promise<CampaignDefinition> {
    const input = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, version } : body;
    const parsed = parseCampaign(input);
    if (!parsed.ok) throw new InvalidCampaignError(parsed.issues.map((i) => ({ field: i.path, message: i.message })));
    const segment = await this.segments.get(parsed.campaign.segmentId);
    if (segment === null || segment.deleted) {
      throw new InvalidCampaignError([{ field: 'segmentId', message: `no segment ${parsed.campaign.segmentId}` }]);
    }
    return parsed.campaign;
  }
}
