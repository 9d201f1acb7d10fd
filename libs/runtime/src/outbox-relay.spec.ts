import { createLogger } from '@o2o/observability';
import { Outbox, OutboxRelay } from './outbox-relay';

/** An outbox in memory: entries with the time they were written, a publish that can be made to fail. */
class MemoryOutbox implements Outbox<{ id: string; at: number }> {
  entries: Array<{ id: string; at: number }> = [];
  readonly sent: string[] = [];
  failing = false;

  async waiting(before: Date, limit: number) {
    return this.entries
      .filter((e) => e.at < before.getTime())
      .sort((a, b) => a.at - b.at)
      .slice(0, limit);
  }
  async publish(entries: Array<{ id: string; at: number }>) {
    if (this.failing) throw new Error('broker unreachable');
    this.sent.push(...entries.map((e) => e.id));
  }
  async published(entries: Array<{ id: string; at: number }>) {
    this.entries = this.entries.filter((e) => !entries.some((p) => p.id === e.id));
  }
}

describe('OutboxRelay', () => {
  const logger = createLogger({ service: 'test', level: 'silent' });

  it('publishes what waits past the grace, oldest first and a page at a time, then marks it published', async () => {
    const outbox = new MemoryOutbox();
    outbox.entries = [
      { id: 'b', at: 2000 },
      { id: 'a', at: 1000 },
      { id: 'c', at: 3000 },
      { id: 'young', at: 9500 },
    ];
    const relay = new OutboxRelay(outbox, { name: 'test', graceMs: 1000, page: 2, intervalMs: 0 }, logger);
    expect(await relay.relay(new Date(10000))).toBe(2);
    expect(outbox.sent).toEqual(['a', 'b']);
    expect(await relay.relay(new Date(10000))).toBe(1);
    expect(await relay.relay(new Date(10000))).toBe(0);
    expect(outbox.sent).toEqual(['a', 'b', 'c']);
    expect(outbox.entries.map((e) => e.id)).toEqual(['young']);
  });

  it('leaves what it could not publish in the outbox for the next pass', async () => {
    const outbox = new MemoryOutbox();
    outbox.entries = [{ id: 'a', at: 0 }];
    const relay = new OutboxRelay(outbox, { name: 'test', graceMs: 0, page: 10, intervalMs: 0 }, logger);
    outbox.failing = true;
    await expect(relay.relay(new Date(1))).rejects.toThrow('broker unreachable');
    expect(outbox.entries).toHaveLength(1);
    outbox.failing = false;
    expect(await relay.relay(new Date(1))).toBe(1);
    expect(outbox.sent).toEqual(['a']);
  });
});
