/**
 * A background job run every interval on this instance, one run at a time: a tick while a run is
 * in flight is skipped, run() joins the run in flight, and stop() waits for it, so shutdown hooks
 * can close the connections the run still needs only after it ends. Which instance of a service
 * actually works is the job's business (a LeaseLock inside it).
 */
export class PeriodicJob<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T | undefined> | undefined;

  constructor(
    private readonly work: () => Promise<T>,
    /** Called with the error of a failed run; the job itself keeps its schedule. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts the schedule; an interval of 0 leaves the job to run() alone. */
  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => void this.run(), intervalMs);
    // The schedule never keeps a process alive on its own; a run in flight does, until it ends.
    this.timer.unref();
  }

  /** The run in flight, or a new one; settles with its result (undefined when it failed). */
  run(): Promise<T | undefined> {
    this.running ??= this.work()
      .catch((error: unknown) => {
        this.onError(error);
        return undefined;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
