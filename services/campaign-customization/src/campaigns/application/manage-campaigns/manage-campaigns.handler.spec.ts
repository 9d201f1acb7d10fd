import type { SegmentDefinition } from '../../../segments/domain/segment-definition';
import type { BackfillProgress, SegmentDocument, StoredSegments } from '../../../segments/application/ports';
import type { CampaignDefinition } from '../../domain/campaign-definition';
import { campaignInput } from '../../domain/campaign.test-helper';
import { CampaignConflictError, type CampaignDocument, type LiveCampaigns, type StoredCampaigns } from '../ports';
import { CampaignExistsError, CampaignNotFoundError, InvalidCampaignError, ManageCampaignsHandler } from './manage-campaigns.handler';

/** The campaign store in memory, with the conditional save of the real one. */
class MemoryCampaigns implements StoredCampaigns {
  readonly documents = new Map<string, CampaignDocument>();

  async all(): Promise<CampaignDefinition[]> {
    return [...this.documents.values()].map((d) => d.definition);
  }

  async get(id: string): Promise<CampaignDocument | null> {
    return this.documents.get(id) ?? null;
  }

  async insert(definition: CampaignDefinition): Promise<boolean> {
    if (this.documents.has(definition.id)) return false;
    const at = '2026-12-07T10:00:00.000Z';
    this.documents.set(definition.id, {
      _id: definition.id,
      definition,
      history: [{ ...definition, savedAt: at }],
      createdAt: at,
      updatedAt: at,
    });
    return true;
  }

  async save(current: CampaignDocument, next: CampaignDefinition): Promise<CampaignDocument> {
    const held = this.documents.get(current._id);
    if (held === undefined || held.definition.version !== current.definition.version) throw new CampaignConflictError(current._id);
    const at = '2026-12-07T11:00:00.000Z';
    const saved = { ...held, definition: next, history: [...held.history, { ...next, savedAt: at }], updatedAt: at };
    this.documents.set(current._id, saved);
    return saved;
  }
}

/** The cached list: counts how often this process's copy was dropped. */
class CountingCatalog implements LiveCampaigns {
  invalidated = 0;

  constructor(private readonly store: MemoryCampaigns) {}

  all(): Promise<CampaignDefinition[]> {
    return this.store.all();
  }

  invalidate(): Promise<void> {
    this.invalidated += 1;
    return Promise.resolve();
  }
}

/** Segments as campaigns read them: only by id. */
class SegmentsById implements StoredSegments {
  constructor(private readonly documents: readonly SegmentDocument[]) {}

  async get(id: string): Promise<SegmentDocument | null> {
    return this.documents.find((d) => d._id === id) ?? null;
  }

  private unused(): never {
    throw new Error('managing campaigns only reads segments by id');
  }

  active(): Promise<SegmentDefinition[]> {
    return this.unused();
  }
  forget(): void {
    this.unused();
  }
  list(): Promise<SegmentDocument[]> {
    return this.unused();
  }
  insert(): Promise<boolean> {
    return this.unused();
  }
  ensure(): Promise<void> {
    return this.unused();
  }
  save(): Promise<SegmentDocument> {
    return this.unused();
  }
  markDeleted(): Promise<SegmentDocument> {
    return this.unused();
  }
  pendingBackfills(): Promise<SegmentDocument[]> {
    return this.unused();
  }
  recordProgress(): Promise<boolean> {
    return this.unused();
  }
}

function segment(id: string, deleted = false): SegmentDocument {
  const definition: SegmentDefinition = {
    id,
    version: 1,
    name: id,
    purpose: 'marketing',
    consentMode: 'opt-out',
    rule: { path: 'value.tier', op: 'eq', value: 'A' },
  };
  const backfill: BackfillProgress = { runId: 'r', version: 1, cause: 'created', status: 'done', processed: 0, total: 0, lastId: '' };
  const at = '2026-12-01T00:00:00.000Z';
  return { _id: id, definition, deleted, revision: 1, history: [{ ...definition, savedAt: at }], createdAt: at, updatedAt: at, backfill };
}

/** A body naming another version than the service will give it: the handler decides the version. */
const body = (id: string, segmentId: string, extra: Record<string, unknown> = {}) => campaignInput(id, segmentId, { version: 7, ...extra });

function setup() {
  const campaigns = new MemoryCampaigns();
  const catalog = new CountingCatalog(campaigns);
  const handler = new ManageCampaignsHandler(campaigns, catalog, new SegmentsById([segment('gold'), segment('gone', true)]));
  return { campaigns, catalog, handler };
}

describe('managing campaigns', () => {
  it('stores a new campaign as version 1 whatever the body says, and drops the cached list', async () => {
    const { campaigns, catalog, handler } = setup();
    const saved = await handler.create(body('spring', 'gold'));
    expect(saved.definition).toMatchObject({ id: 'spring', version: 1, segmentId: 'gold' });
    expect((await campaigns.get('spring'))?.definition.version).toBe(1);
    expect(catalog.invalidated).toBe(1);
  });

  it('refuses a campaign of an unknown or deleted segment, naming the field, and stores nothing', async () => {
    const { campaigns, catalog, handler } = setup();
    for (const segmentId of ['silver', 'gone']) {
      const refused = handler.create(body('spring', segmentId));
      await expect(refused).rejects.toBeInstanceOf(InvalidCampaignError);
      await expect(refused).rejects.toMatchObject({ issues: [{ field: 'segmentId', message: `no segment ${segmentId}` }] });
    }
    expect(campaigns.documents.size).toBe(0);
    expect(catalog.invalidated).toBe(0);
  });

  it('refuses to create a campaign twice', async () => {
    const { handler } = setup();
    await handler.create(body('spring', 'gold'));
    await expect(handler.create(body('spring', 'gold'))).rejects.toBeInstanceOf(CampaignExistsError);
  });

  it('saves an edit as the next version, keeps the earlier one in the history and drops the cached list', async () => {
    const { campaigns, catalog, handler } = setup();
    await handler.create(body('spring', 'gold'));
    const { id: _id, ...edit } = body('spring', 'gold', { name: 'Spring, edited' });
    const saved = await handler.update('spring', edit);
    expect(saved.definition).toMatchObject({ id: 'spring', version: 2, name: 'Spring, edited' });
    expect(saved.history.map((h) => h.version)).toEqual([1, 2]);
    expect((await campaigns.get('spring'))?.definition.name).toBe('Spring, edited');
    expect(catalog.invalidated).toBe(2);
  });

  it('refuses an edit of an unknown campaign, and one whose body names another campaign', async () => {
    const { campaigns, handler } = setup();
    await expect(handler.update('spring', body('spring', 'gold'))).rejects.toBeInstanceOf(CampaignNotFoundError);
    await handler.create(body('spring', 'gold'));
    await expect(handler.update('spring', body('summer', 'gold'))).rejects.toMatchObject({
      issues: [{ field: 'id', message: 'the body names campaign summer, the path spring' }],
    });
    expect((await campaigns.get('spring'))?.definition.version).toBe(1);
  });
});
