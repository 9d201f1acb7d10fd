import { loadCampaignCustomizationConfig, type CampaignCustomizationConfig } from '../../../config/campaign-customization.config';
import type { SegmentDefinition, SegmentDraft } from '../../domain/segment-definition';
import type { BackfillCause, SegmentDocument, StoredSegments } from '../ports';
import { SegmentAudience, type AudienceMember } from '../segment-audience.port';
import { ManageSegmentsHandler, SegmentExistsError, SegmentNotFoundError } from './manage-segments.handler';

const AT = '2026-12-07T10:00:00.000Z';

/** The segment store in memory: what was written, with the customer total and cause each back-fill started with. */
class MemorySegments implements StoredSegments {
  readonly documents = new Map<string, SegmentDocument>();

  async active(): Promise<SegmentDefinition[]> {
    return [...this.documents.values()].filter((d) => !d.deleted).map((d) => d.definition);
  }

  forget(): void {}

  async list(includeDeleted: boolean): Promise<SegmentDocument[]> {
    return [...this.documents.values()].filter((d) => includeDeleted || !d.deleted);
  }

  async get(id: string): Promise<SegmentDocument | null> {
    return this.documents.get(id) ?? null;
  }

  async insert(definition: SegmentDefinition, total: number): Promise<boolean> {
    if (this.documents.has(definition.id)) return false;
    this.documents.set(definition.id, this.document(definition, false, 1, [], 'created', total));
    return true;
  }

  async ensure(definition: SegmentDefinition, total: number): Promise<void> {
    await this.insert(definition, total);
  }

  async save(current: SegmentDocument, next: SegmentDefinition, total: number, cause: BackfillCause = 'edited'): Promise<SegmentDocument> {
    const saved = this.document(next, false, current.revision + 1, current.history, cause, total);
    this.documents.set(current._id, saved);
    return saved;
  }

  async markDeleted(current: SegmentDocument, total: number): Promise<SegmentDocument> {
    const saved = this.document(current.definition, true, current.revision + 1, current.history, 'deleted', total);
    this.documents.set(current._id, saved);
    return saved;
  }

  async pendingBackfills(): Promise<SegmentDocument[]> {
    return [...this.documents.values()].filter((d) => d.backfill.status !== 'done');
  }

  async recordProgress(): Promise<boolean> {
    return true;
  }

  private document(
    definition: SegmentDefinition,
    deleted: boolean,
    revision: number,
    history: SegmentDocument['history'],
    cause: BackfillCause,
    total: number,
  ): SegmentDocument {
    return {
      _id: definition.id,
      definition,
      deleted,
      revision,
      history: [...history, { ...definition, savedAt: AT }],
      createdAt: AT,
      updatedAt: AT,
      backfill: { runId: `run-${revision}`, version: definition.version, cause, status: 'pending', processed: 0, total, lastId: '' },
    };
  }
}

/** The customers as the segments API sees them: a count, and how often the back-fill was woken. */
class CountedAudience extends SegmentAudience {
  woken = 0;

  constructor(private readonly customers: number) {
    super();
  }

  async countCustomers(): Promise<number> {
    return this.customers;
  }

  async page(): Promise<{ members: AudienceMember[]; last?: string }> {
    throw new Error('managing segments reads no members');
  }

  wakeBackfill(): void {
    this.woken += 1;
  }
}

function draft(id: string, over: Partial<SegmentDraft> = {}): SegmentDraft {
  return { id, name: id, purpose: 'marketing', consentMode: 'opt-out', rule: { path: 'value.tier', op: 'eq', value: 'A' }, ...over };
}

function setup(defaults: unknown[] = []) {
  const segments = new MemorySegments();
  const audience = new CountedAudience(42);
  const config: CampaignCustomizationConfig = { ...loadCampaignCustomizationConfig({}), CAMPAIGN_DEFAULT_SEGMENTS: defaults };
  return { segments, audience, handler: new ManageSegmentsHandler(segments, audience, config) };
}

describe('managing segments', () => {
  it('creates a segment at version 1, its back-fill sized to the customers, and wakes the back-fill', async () => {
    const { segments, audience, handler } = setup();
    const saved = await handler.create(draft('gold'));
    expect(saved.definition.version).toBe(1);
    expect((await segments.get('gold'))?.backfill).toMatchObject({ cause: 'created', total: 42 });
    expect(audience.woken).toBe(1);
  });

  it('refuses to create a live segment again, and wakes nothing', async () => {
    const { audience, handler } = setup();
    await handler.create(draft('gold'));
    await expect(handler.create(draft('gold', { name: 'Gold again' }))).rejects.toBeInstanceOf(SegmentExistsError);
    expect(audience.woken).toBe(1);
  });

  it('continues the version line of a deleted segment created again', async () => {
    const { segments, handler } = setup();
    const tierB = draft('gold', { rule: { path: 'value.tier', op: 'eq', value: 'B' } });
    await handler.create(draft('gold'));
    await handler.update(tierB);
    await handler.remove('gold');
    // The same rule as the deleted version 2: still a new version, so (id, version) never means two lives.
    const again = await handler.create(tierB);
    expect(again.definition.version).toBe(3);
    expect(again.deleted).toBe(false);
    expect((await segments.get('gold'))?.backfill).toMatchObject({ cause: 'created', version: 3 });
  });

  it('refuses to edit or delete a segment that is unknown or deleted', async () => {
    const { handler } = setup();
    await expect(handler.update(draft('gold'))).rejects.toBeInstanceOf(SegmentNotFoundError);
    await handler.create(draft('gold'));
    await handler.remove('gold');
    await expect(handler.update(draft('gold'))).rejects.toBeInstanceOf(SegmentNotFoundError);
    await expect(handler.remove('gold')).rejects.toBeInstanceOf(SegmentNotFoundError);
  });

  it('creates the configured default segments at boot without overriding an edit, then wakes the back-fill once', async () => {
    const { segments, audience, handler } = setup([draft('gold'), draft('silver')]);
    await segments.insert({ ...draft('gold', { name: 'Gold, edited' }), version: 2 }, 0);
    await handler.onApplicationBootstrap();
    expect((await segments.get('gold'))?.definition).toMatchObject({ name: 'Gold, edited', version: 2 });
    expect((await segments.get('silver'))?.definition).toMatchObject({ name: 'silver', version: 1 });
    expect(audience.woken).toBe(1);
  });

  it('stops the boot on an invalid default segment, naming it and the field', async () => {
    const { segments, audience, handler } = setup([draft('gold'), { id: 'Bad Id', name: 'x', purpose: 'marketing', rule: {} }]);
    await expect(handler.onApplicationBootstrap()).rejects.toThrow(/^CAMPAIGN_DEFAULT_SEGMENTS\[1\] is invalid: .*id/);
    expect(await segments.get('gold')).not.toBeNull();
    expect(audience.woken).toBe(0);
  });
});
