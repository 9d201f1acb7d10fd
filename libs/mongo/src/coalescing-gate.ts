/**
 * Runs a batch writer one batch at a time and combines what waits: submissions that arrive in
 * the same tick, or while a batch runs, go into the next batch together. A consumer that is
 * handed several topics' batches at once (or a background job next to it) then reads and writes
 * each customer once for all of them, instead of once per topic, one after the other.
 *
 * `work` receives the submissions in arrival order and must treat them as one batch (apply them
 * in that order). Every submitter's promise settles with the batch that carried it. If a
 * combined batch fails, each of its submissions is run again alone, in order, and settles with
 * its own outcome: one poison input never fails another caller's batch, so a transport's
 * retry-then-isolate logic still finds the message at fault. Writers must be idempotent, as
 * every consumer here already is (a redelivered batch applies nothing twice).
 */
export class CoalescingGate<S, R> {
  private waiting: Array<{ submission: S; resolve: (result: R) => void; reject: (error: unknown) => void }> = [];
  private draining = false;

  constructor(private readonly work: (submissions: S[]) => Promise<R>) {}

  submit(submission: S): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ submission, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // Next macrotask: every submission made in this tick (a transport's concurrent calls) joins.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        const result = await this.work(batch.map((w) => w.submission));
        for (const w of batch) w.resolve(result);
      } catch (error) {
        const [only] = batch;
        if (only && batch.length === 1) {
          only.reject(error);
          continue;
        }
        for (const w of batch) {
          try {
            w.resolve(await this.work([w.submission]));
          } catch (own) {
            w.reject(own);
          }
        }
      }
    }
    this.draining = false;
  }
}
