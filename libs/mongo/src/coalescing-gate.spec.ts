import { AsyncLocalStorage } from 'node:async_hooks';
import fc from 'fast-check';
import { CoalescingGate } from './coalescing-gate';

/** A writer that records each batch it is given and can be held open until released. */
class RecordingWriter {
  readonly batches: string[][] = [];
  inFlight = 0;
  maxInFlight = 0;
  poison = new Set<string>();
  private releases: Array<() => void> = [];
  hold = false;

  readonly work = async (submissions: string[][]): Promise<number> => {
    const items = submissions.flat();
    this.batches.push(items);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hold) await new Promise<void>((resolve) => this.releases.push(resolve));
      else await new Promise((resolve) => setImmediate(resolve));
      const bad = items.filter((i) => this.poison.has(i));
      if (bad.length > 0) throw new Error(`poison ${bad.join(',')}`);
      return items.length;
    } finally {
      this.inFlight--;
    }
  };

  release(): void {
    const waiting = this.releases.splice(0);
    waiting.forEach((r) => r());
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingGate', () => {
  it('combines submissions of one tick into one batch, in submission order', async () => {
    const writer = new RecordingWriter();
    const gate = new CoalescingGate(writer.work);
    const results = await Promise.all([gate.submit(['a1', 'a2']), gate.submit(['b1']), gate.submit(['c1', 'c2'])]);
    expect(writer.batches).toEqual([['a1', 'a2', 'b1', 'c1', 'c2']]);
    expect(results).toEqual([5, 5, 5]);
  });

  it('runs one batch at a time and combines everything that arrived meanwhile into the next', async () => {
    const writer = new RecordingWriter();
    writer.hold = true;
    const gate = new CoalescingGate(writer.work);
    const first = gate.submit(['x']);
    await tick();
    expect(writer.batches).toEqual([['x']]);
    const later = [gate.submit(['y1']), gate.submit(['y2'])];
    await tick();
    await tick();
    expect(writer.batches).toHaveLength(1);
    writer.release();
    await first;
    await tick();
    expect(writer.batches).toEqual([['x'], ['y1', 'y2']]);
    writer.release();
    await Promise.all(later);
    expect(writer.maxInFlight).toBe(1);
  });

  it('reruns each submission of a failed combined batch alone, so only the one at fault fails', async () => {
    const writer = new RecordingWriter();
    writer.poison.add('bad');
    const gate = new CoalescingGate(writer.work);
    const outcomes = await Promise.allSettled([gate.submit(['ok1']), gate.submit(['bad', 'ok2']), gate.submit(['ok3'])]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('poison bad'));
    expect(writer.batches).toEqual([['ok1', 'bad', 'ok2', 'ok3'], ['ok1'], ['bad', 'ok2'], ['ok3']]);
  });

  it('a lone failing submission fails once and the gate keeps serving', async () => {
    const writer = new RecordingWriter();
    writer.poison.add('bad');
    const gate = new CoalescingGate(writer.work);
    await expect(gate.submit(['bad'])).rejects.toThrow('poison bad');
    await expect(gate.submit(['fine'])).resolves.toBe(1);
    expect(writer.batches).toEqual([['bad'], ['fine']]);
  });

  it('every submission is written exactly once in a successful batch, in order, whatever the arrival pattern', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 2 })), { minLength: 1, maxLength: 20 }), async (plan) => {
        const writer = new RecordingWriter();
        const gate = new CoalescingGate(writer.work);
        const pending: Array<Promise<number>> = [];
        for (const [index, [size, waitTicks]] of plan.entries()) {
          pending.push(gate.submit(Array.from({ length: size }, (_, j) => `${index}.${j}`)));
          for (let i = 0; i < waitTicks; i++) await tick();
        }
        await Promise.all(pending);
        const written = writer.batches.flat();
        const expected = plan.flatMap(([size], index) => Array.from({ length: size }, (_, j) => `${index}.${j}`));
        expect(written).toEqual(expected);
        expect(writer.maxInFlight).toBe(1);
      }),
      { numRuns: 50 },
    );
  });

  it('runs each batch in the asynchronous context of its own submitters, and never combines different scopes', async () => {
    const context = new AsyncLocalStorage<string>();
    const seen: Array<{ items: string[]; store: string | undefined }> = [];
    const gate = new CoalescingGate<string[], void>(
      async (submissions) => {
        await tick();
        seen.push({ items: submissions.flat(), store: context.getStore() });
      },
      () => context.getStore(),
    );
    const submitted = [
      context.run('tx1', () => gate.submit(['a'])),
      context.run('tx2', () => gate.submit(['b'])),
      context.run('tx1', () => gate.submit(['c'])),
      gate.submit(['job']),
    ];
    await tick();
    // Arrives while tx1's batch runs: its own context, not the one that started the gate.
    submitted.push(context.run('tx3', () => gate.submit(['d'])));
    await Promise.all(submitted);
    expect(seen).toEqual([
      { items: ['a', 'c'], store: 'tx1' },
      { items: ['b'], store: 'tx2' },
      { items: ['job'], store: undefined },
      { items: ['d'], store: 'tx3' },
    ]);
  });

  it('reruns the submissions of a failed combined batch each in its own context', async () => {
    const context = new AsyncLocalStorage<string>();
    const stores: Array<string | undefined> = [];
    const gate = new CoalescingGate<string, void>(async (submissions) => {
      stores.push(context.getStore());
      if (submissions.length > 1) throw new Error('combined batch failed');
    });
    await Promise.all([context.run('first', () => gate.submit('x')), context.run('second', () => gate.submit('y'))]);
    expect(stores).toEqual(['first', 'first', 'second']);
  });
});
