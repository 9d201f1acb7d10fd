import { AsyncLocalStorage } from 'node:async_hooks';

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
 *
 * Work runs in the asynchronous context of the submission it serves (the first of a combined
 * batch), never in that of whoever happened to start the gate: an exactly-once consumer's
 * publications belong to its own handler call's Kafka transaction (found through
 * AsyncLocalStorage). Submissions of different scopes (`scopeOf`, e.g. that transaction) are
 * never combined: a background job's rescoring and a consumer's batch, or two transactions, each
 * get their own run, one after the other. Without this, a batch combined into a run started by
 * another transaction published into it, and that one's abort discarded the batch's states while
 * its own commit moved its offsets past them (issue 21).
 */
export class CoalescingGate<S, R> {
  private waiting: Array<Waiting<S, R>> = [];
  private draining = false;

  /**
   * @param scopeOf what a submission may be combined with: only submissions for which it
   *   answers the same value (compared with ===), read when each is submitted. Without it every
   *   submission shares one scope.
   */
  constructor(
    private readonly work: (submissions: S[]) => Promise<R>,
    private readonly scopeOf: () => unknown = () => undefined,
  ) {}

  submit(submission: S): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ submission, scope: this.scopeOf(), within: AsyncLocalStorage.snapshot(), resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // Next macrotask: every submission made in this tick (a transport's concurrent calls) joins.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const [first] = this.waiting;
      if (!first) break;
      // The first waiting submission's scope, with every other waiting one of the same scope, in order.
      const batch = this.waiting.filter((w) => w.scope === first.scope);
      this.waiting = this.waiting.filter((w) => w.scope !== first.scope);
      try {
        const result = await first.within(() => this.work(batch.map((w) => w.submission)));
        for (const w of batch) w.resolve(result);
      } catch (error) {
        if (batch.length === 1) {
          first.reject(error);
          continue;
        }
        for (const w of batch) {
          try {
            w.resolve(await w.within(() => this.work([w.submission])));
          } catch (own) {
            w.reject(own);
          }
        }
      }
    }
    this.draining = false;
  }
}

interface Waiting<S, R> {
  submission: S;
  scope: unknown;
  /** Runs a function in the asynchronous context the submission was made in. */
  within: <T>(fn: () => T) => T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}
