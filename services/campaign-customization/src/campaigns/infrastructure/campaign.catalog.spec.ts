import type { CampaignCustomizationConfig } from '../../config/campaign-customization.config';
import { loadCampaignCustomizationConfig } from '../../config/campaign-customization.config';
import type { CampaignDefinition } from '../domain/campaign-definition';
import { createLogger } from '@o2o/observability';
import type { CampaignChangeNotices, CampaignDocument, StoredCampaigns } from '../application/ports';
import { CampaignCatalog } from './campaign.catalog';

/** A repository whose reads the test completes by hand, in the order it chooses. */
class ControlledRepository implements StoredCampaigns {
  readonly pending: Array<(campaigns: CampaignDefinition[]) => void> = [];

  all(): Promise<CampaignDefinition[]> {
    return new Promise((resolve) => this.pending.push(resolve));
  }

  // The catalog only lists: the store's other calls are not its to make.
  get(): Promise<CampaignDocument | null> {
    throw new Error('the catalog reads no single campaign');
  }

  insert(): Promise<boolean> {
    throw new Error('the catalog writes nothing');
  }

  save(): Promise<CampaignDocument> {
    throw new Error('the catalog writes nothing');
  }

  finish(index: number, campaigns: CampaignDefinition[]): void {
    const resolve = this.pending[index];
    if (resolve === undefined) throw new Error(`no read ${index}`);
    resolve(campaigns);
  }
}

/** Notices delivered by hand: `hear` is another instance's save arriving, `lose`/`regain` the channel going down and back. */
class HandNotices implements CampaignChangeNotices {
  listening = true;
  announced = 0;
  private readonly listeners: Array<() => void> = [];

  announce(): Promise<void> {
    this.announced += 1;
    return Promise.resolve();
  }

  listen(changed: () => void): void {
    this.listeners.push(changed);
  }

  hear(): void {
    for (const listener of this.listeners) listener();
  }

  lose(): void {
    this.listening = false;
    this.hear();
  }
}

const named = (id: string) => ({ id }) as CampaignDefinition;
const flush = () => new Promise((resolve) => setImmediate(resolve));

function catalog(
  ttlMs: number,
  maxAgeMs = 60_000,
): { catalog: CampaignCatalog; repository: ControlledRepository; notices: HandNotices; clock: { now: number } } {
  const repository = new ControlledRepository();
  const notices = new HandNotices();
  const config: CampaignCustomizationConfig = {
    ...loadCampaignCustomizationConfig({}),
    CACHE_TTL_MS: ttlMs,
    CAMPAIGN_CATALOG_MAX_AGE_MS: maxAgeMs,
  };
  const clock = { now: 1_000_000 };
  jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
  const logger = createLogger({ service: 'test', level: 'silent' });
  return { catalog: new CampaignCatalog(repository, notices, config, logger), repository, notices, clock };
}

describe('campaign catalog', () => {
  afterEach(() => jest.restoreAllMocks());

  it('serves the held list while one reload runs after the TTL, and the reloaded one after it', async () => {
    const { catalog: c, repository, clock } = catalog(0, 1000);
    const first = c.all();
    repository.finish(0, [named('a')]);
    expect((await first).map((x) => x.id)).toEqual(['a']);
    clock.now += 1500;
    expect((await c.all()).map((x) => x.id)).toEqual(['a']);
    expect((await c.all()).map((x) => x.id)).toEqual(['a']);
    expect(repository.pending).toHaveLength(2);
    repository.finish(1, [named('b')]);
    await flush();
    expect((await c.all()).map((x) => x.id)).toEqual(['b']);
  });

  it('waits for a fresh read once the held list is several TTLs old', async () => {
    const { catalog: c, repository, clock } = catalog(0, 1000);
    const first = c.all();
    repository.finish(0, [named('a')]);
    await first;
    clock.now += 10_000;
    const late = c.all();
    repository.finish(1, [named('b')]);
    expect((await late).map((x) => x.id)).toEqual(['b']);
  });

  it('never caches a read that started before an invalidation', async () => {
    const { catalog: c, repository } = catalog(60_000);
    const before = c.all();
    await c.invalidate();
    const after = c.all();
    repository.finish(1, [named('edited')]);
    repository.finish(0, [named('old')]);
    expect((await before).map((x) => x.id)).toEqual(['old']);
    expect((await after).map((x) => x.id)).toEqual(['edited']);
    expect((await c.all()).map((x) => x.id)).toEqual(['edited']);
    expect(repository.pending).toHaveLength(2);
  });

  it('keeps its list without reading again until a change notice, however old the TTL says it is', async () => {
    const { catalog: c, repository, notices, clock } = catalog(1000, 600_000);
    const first = c.all();
    repository.finish(0, [named('a')]);
    await first;
    clock.now += 30_000;
    expect((await c.all()).map((x) => x.id)).toEqual(['a']);
    expect(repository.pending).toHaveLength(1);
    notices.hear();
    const after = c.all();
    expect(repository.pending).toHaveLength(2);
    repository.finish(1, [named('b')]);
    expect((await after).map((x) => x.id)).toEqual(['b']);
  });

  it('falls back to the TTL while notices are not heard', async () => {
    const { catalog: c, repository, notices, clock } = catalog(1000, 600_000);
    const first = c.all();
    repository.finish(0, [named('a')]);
    await first;
    notices.lose();
    const reread = c.all();
    repository.finish(1, [named('a')]);
    await reread;
    clock.now += 1500;
    expect((await c.all()).map((x) => x.id)).toEqual(['a']);
    expect(repository.pending).toHaveLength(3);
  });

  it('announces its own saves to the other instances', async () => {
    const { catalog: c, notices } = catalog(1000);
    await c.invalidate();
    expect(notices.announced).toBe(1);
  });
});
