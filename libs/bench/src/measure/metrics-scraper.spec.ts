import { PlatformMetrics } from '@o2o/observability';
import { snapshotOfMetricsText } from './metrics-scraper';

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
