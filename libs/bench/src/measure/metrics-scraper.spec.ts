import { PlatformMetrics } from '@o2o/observability';
import { MetricsScraper, snapshotOfMetricsText } from './metrics-scraper';

describe('snapshotOfMetricsText', () => {
  it('sums the cost counters over their labels from what a service registry writes', async () => {
    const metrics = new PlatformMetrics('scraper_test');
    metrics.storeCommandDuration.observe({ collection: 'customers', command: 'find', outcome: 'ok' }, 0.004);
    metrics.storeCommandDuration.observe({ collection: 'customers', command: 'update', outcome: 'ok' }, 0.01);
    metrics.storeCommandDuration.observe({ collection: 'outbox', command: 'insert', outcome: 'failed' }, 0.02);
    metrics.storeDocumentsWritten.inc({ collection: 'customers', command: 'update' }, 120);
    metrics.storeDocumentsWritten.inc({ collection: 'outbox', command: 'insert' }, 7);
    metrics.storeBytesWritten.inc({ collection: 'customers', command: 'update' }, 96_000);
    metrics.storeBytesWritten.inc({ collection: 'outbox', command: 'insert' }, 4_500);
    metrics.eventsProduced.inc({ topic: 'identity.events' }, 120);
    metrics.eventsProduced.inc({ topic: 'identity.snapshots' }, 30);

    const snap = snapshotOfMetricsText(await metrics.registry.metrics(), 1234);
    expect(snap.at).toBe(1234);
    expect(snap.cost).toEqual({ commands: 3, documentsWritten: 127, bytesWritten: 100_500, produced: 150 });
    // The per-command view the table's "store" lines use is still there.
    expect(snap.storeCount['customers find']).toBe(1);
    expect(snap.storeCount['outbox insert']).toBe(1);
  });

  it('reads zero for a service that never touched the database', async () => {
    const snap = snapshotOfMetricsText(await new PlatformMetrics('idle').registry.metrics());
    expect(snap.cost).toEqual({ commands: 0, documentsWritten: 0, bytesWritten: 0, produced: 0 });
  });
});

describe('MetricsScraper: a phase between scrapes 15 s apart', () => {
  it("counts a phase's batches and commands from the scrape before its start to the one taken as its load ended", async () => {
    const metrics = new PlatformMetrics('window_test');
    const scraper = new MetricsScraper([{ name: 'svc', url: 'http://127.0.0.1:1' }], 15_000);
    const take = async (at: number) => scraper.snapshots.get('svc')?.push(snapshotOfMetricsText(await metrics.registry.metrics(), at));
    const batch = (size: number) => {
      metrics.batchSize.observe({ topic: 'in' }, size);
      metrics.batchDuration.observe({ topic: 'in' }, 0.5);
      metrics.storeCommandDuration.observe({ collection: 'customers', command: 'find', outcome: 'ok' }, 0.01);
    };
    batch(10); // before the phase
    await take(1_000); // the phase starts at 1,000
    batch(100);
    await take(16_000); // the periodic scrape, mid-phase
    batch(300);
    await take(20_050); // the scrape as the load ended, at 20,000
    batch(7); // the drain, after the load

    expect(scraper.batchStats('svc', 1_000, 20_000)).toEqual({ in: { batches: 2, meanSize: 200, meanMs: 500 } });
    expect(scraper.storeStats('svc', 1_000, 20_000)['customers find']?.count).toBe(2);
  });

  it('falls back to the last scrape before the end when none was taken after it', async () => {
    const metrics = new PlatformMetrics('fallback_test');
    const scraper = new MetricsScraper([{ name: 'svc', url: 'http://127.0.0.1:1' }]);
    const take = async (at: number) => scraper.snapshots.get('svc')?.push(snapshotOfMetricsText(await metrics.registry.metrics(), at));
    await take(0);
    metrics.batchSize.observe({ topic: 'in' }, 40);
    metrics.batchDuration.observe({ topic: 'in' }, 0.2);
    await take(5_000);
    expect(scraper.batchStats('svc', 0, 9_000)).toEqual({ in: { batches: 1, meanSize: 40, meanMs: 200 } });
  });
});
