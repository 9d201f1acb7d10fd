import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { CampaignCustomizationConfig } from '../../../config/campaign-customization.config';
import { CAMPAIGN_CONFIG } from '../../../campaign.tokens';
import { describeIssue } from '../../domain/segment-rule.validator';
import { reviseSegment, segmentDraftSchema, type SegmentDraft } from '../../domain/segment-definition';
import { StoredSegments, type SegmentDocument } from '../ports';
import { SegmentAudience } from '../segment-audience.port';

export class SegmentExistsError extends Error {
  constructor(id: string) {
    super(`segment ${id} already exists; edit it with PUT /v1/segments/${id}`);
    this.name = 'SegmentExistsError';
  }
}

export class SegmentNotFoundError extends Error {
  constructor(id: string) {
    super(`no segment ${id}`);
    this.name = 'SegmentNotFoundError';
  }
}

/** Creating, editing and deleting segments; each decisive change starts a back-fill. */
@Injectable()
export class ManageSegmentsHandler implements OnApplicationBootstrap {
  constructor(
    private readonly segments: StoredSegments,
    private readonly customers: SegmentAudience,
    @Inject(CAMPAIGN_CONFIG) private readonly config: CampaignCustomizationConfig,
  ) {}

  /** Default segments from configuration; a bad one stops the boot with the reason. */
  async onApplicationBootstrap(): Promise<void> {
    const total = await this.customers.countCustomers();
    for (const [index, input] of this.config.CAMPAIGN_DEFAULT_SEGMENTS.entries()) {
      const parsed = segmentDraftSchema.safeParse(input);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) =>
          describeIssue({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }),
        );
        throw new Error(`CAMPAIGN_DEFAULT_SEGMENTS[${index}] is invalid: ${detail.join('; ')}`);
      }
      await this.segments.ensure(reviseSegment(undefined, parsed.data), total);
    }
    this.customers.wakeBackfill();
  }

  async create(draft: SegmentDraft): Promise<SegmentDocument> {
    const total = await this.customers.countCustomers();
    const existing = await this.segments.get(draft.id);
    let saved: SegmentDocument | null;
    if (existing === null) {
      if (!(await this.segments.insert(reviseSegment(undefined, draft), total))) throw new SegmentExistsError(draft.id);
      saved = await this.segments.get(draft.id);
    } else if (existing.deleted) {
      // A re-created id continues the old version line, so (id, version) never means two rules.
      const next = reviseSegment(existing.definition, draft);
      saved = await this.segments.save(existing, { ...next, version: existing.definition.version + 1 }, total, 'created');
    } else {
      throw new SegmentExistsError(draft.id);
    }
    if (saved === null) throw new SegmentNotFoundError(draft.id);
    this.customers.wakeBackfill();
    return saved;
  }

  async update(draft: SegmentDraft): Promise<SegmentDocument> {
    const current = await this.segments.get(draft.id);
    if (current === null || current.deleted) throw new SegmentNotFoundError(draft.id);
    const saved = await this.segments.save(current, reviseSegment(current.definition, draft), await this.customers.countCustomers());
    this.customers.wakeBackfill();
    return saved;
  }

  async remove(id: string): Promise<SegmentDocument> {
    const current = await this.segments.get(id);
    if (current === null || current.deleted) throw new SegmentNotFoundError(id);
    const saved = await this.segments.markDeleted(current, await this.customers.countCustomers());
    this.customers.wakeBackfill();
    return saved;
  }
}
