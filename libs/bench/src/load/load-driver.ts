import { demoWriteKeys } from '@o2o/testing';
import { BenchChannel, BenchMessage, BenchPopulation } from './bench-population';

/** One event ingestion answered 200 for (it is on ingest.events.v1, acknowledged by all in-sync replicas). */
export interface AcceptedEvent {
  messageId: string;
  channel: BenchChannel;
  phase: string;
  /** When the request carrying it was answered (ms since epoch). */
  acceptedAt: number;
  order?: { orderId: string; revenue: number };
}

export interface PhaseLoad {
  phase: string;
  mode: 'rate' | 'max';
  offeredRate?: number;
  startedAt: number;
  endedAt: number;
  requests: number;
  failedRequests: number;
  accepted: number;
  failedEvents: number;
  /** Ingestion's answer times (ms) for /v1/batch requests. */
  requestMs: number[];
  /** rate mode: ticks whose requests could not all start in time (the client, not the pipeline, was the limit). */
  lateTicks: number;
  /** Requests sent again after a failed attempt (with a retry policy). */
  retriedRequests: number;
  errors: string[];
}

export interface LoadDriverOptions {
  ingestionUrl: string;
  population: BenchPopulation;
  httpBatch: number;
  concurrency: number;
}

/** A sender that retries what was not answered 200 (same messages, same messageIds), as analytics SDKs do. */
export interface RetryPolicy {
  /** Gives up on a request this long after its first attempt. */
  giveUpAfterMs: number;
  /** Pause between attempts. */
  pauseMs: number;
}

/**
 * Drives the population's events into ingestion's Segment API as /v1/batch requests, one per
 * channel (each channel has its own write key), either at a fixed offered rate (open loop) or
 * as fast as the pipeline drains with a bounded number of events in flight (closed loop).
 */
export class LoadDriver {
  readonly accepted = new Map<string, AcceptedEvent>();
  private inFlightRequests = 0;
  private inFlightEvents = 0;
  private ingestionUrl: string;

  constructor(private readonly options: LoadDriverOptions) {
    this.ingestionUrl = options.ingestionUrl;
  }

  /** Where requests go from now on (a restarted ingestion listens elsewhere). */
  setIngestionUrl(url: string): void {
    this.ingestionUrl = url;
  }

  /**
   * Open loop: `rate` events/s for `seconds`, sent every 100 ms. With `retry`, a request not
   * answered 200 is sent again until it is or the policy gives up; only then does it count as refused.
   */
  async runRate(phase: string, rate: number, seconds: number, retry?: RetryPolicy): Promise<PhaseLoad> {
    const load = this.newPhase(phase, 'rate', rate);
    const tickMs = 100;
    const pending = new Set<Promise<unknown>>();
    let carry = 0;
    const end = load.startedAt + seconds * 1000;
    for (let tick = 0; ; tick++) {
      const tickAt = load.startedAt + tick * tickMs;
      if (tickAt >= end) break;
      const wait = tickAt - Date.now();
      if (wait > 0) await sleep(wait);
      carry += (rate * tickMs) / 1000;
      const count = Math.floor(carry);
      carry -= count;
      if (this.inFlightRequests >= this.options.concurrency) load.lateTicks++;
      for (const request of this.requestsFor(this.options.population.next(count))) {
        while (this.inFlightRequests >= this.options.concurrency) await Promise.race(pending);
        const sent = (retry ? this.postRetrying(load, request, retry) : this.post(load, request)).finally(() => pending.delete(sent));
        pending.add(sent);
      }
    }
    await Promise.all(pending);
    load.endedAt = Date.now();
    return load;
  }

  /**
   * Closed loop: keeps `maxBacklog` events accepted but not yet through the pipeline, so the
   * slowest stage is always busy and queues stay bounded. `backlog()` reports how many accepted
   * events the pipeline has not finished (from committed offsets).
   */
  async runMax(phase: string, seconds: number, maxBacklog: number, backlog: () => number): Promise<PhaseLoad> {
    const load = this.newPhase(phase, 'max');
    const end = load.startedAt + seconds * 1000;
    const worker = async (): Promise<void> => {
      while (Date.now() < end) {
        if (backlog() + this.inFlightEvents + this.options.httpBatch > maxBacklog) {
          await sleep(5);
          continue;
        }
        const requests = this.requestsFor(this.options.population.next(this.options.httpBatch));
        this.inFlightEvents += this.options.httpBatch;
        try {
          await Promise.all(requests.map((r) => this.post(load, r)));
        } finally {
          this.inFlightEvents -= this.options.httpBatch;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.floor(this.options.concurrency / 2)) }, worker));
    load.endedAt = Date.now();
    return load;
  }

  private newPhase(phase: string, mode: 'rate' | 'max', offeredRate?: number): PhaseLoad {
    return {
      phase,
      mode,
      ...(offeredRate === undefined ? {} : { offeredRate }),
      startedAt: Date.now(),
      endedAt: 0,
      requests: 0,
      failedRequests: 0,
      accepted: 0,
      failedEvents: 0,
      requestMs: [],
      lateTicks: 0,
      retriedRequests: 0,
      errors: [],
    };
  }

  private requestsFor(messages: BenchMessage[]): Array<{ channel: BenchChannel; messages: BenchMessage[] }> {
    const byChannel = new Map<BenchChannel, BenchMessage[]>();
    for (const m of messages) {
      const list = byChannel.get(m.channel);
      if (list) list.push(m);
      else byChannel.set(m.channel, [m]);
    }
    const out: Array<{ channel: BenchChannel; messages: BenchMessage[] }> = [];
    for (const [channel, list] of byChannel) {
      for (let i = 0; i < list.length; i += this.options.httpBatch)
        out.push({ channel, messages: list.slice(i, i + this.options.httpBatch) });
    }
    return out;
  }

  private async postRetrying(
    load: PhaseLoad,
    request: { channel: BenchChannel; messages: BenchMessage[] },
    retry: RetryPolicy,
  ): Promise<void> {
    const giveUpAt = Date.now() + retry.giveUpAfterMs;
    for (;;) {
      const lastTry = Date.now() + retry.pauseMs >= giveUpAt;
      const ok = await this.post(load, request, !lastTry);
      if (ok || lastTry) return;
      load.retriedRequests++;
      await sleep(retry.pauseMs);
    }
  }

  /** True if answered 200. `willRetry`: a failure is not counted as refused (the caller sends it again). */
  private async post(load: PhaseLoad, request: { channel: BenchChannel; messages: BenchMessage[] }, willRetry = false): Promise<boolean> {
    this.inFlightRequests++;
    const started = Date.now();
    load.requests++;
    try {
      const response = await fetch(`${this.ingestionUrl}/v1/batch`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${demoWriteKeys[request.channel]}:`).toString('base64')}`,
        },
        body: JSON.stringify({ batch: request.messages.map((m) => m.message), sentAt: new Date().toISOString() }),
      });
      const body = await response.text();
      const answeredAt = Date.now();
      load.requestMs.push(answeredAt - started);
      if (!response.ok) {
        if (load.errors.length < 10) load.errors.push(`${response.status} ${body.slice(0, 300)}`);
        if (willRetry) return false;
        load.failedRequests++;
        load.failedEvents += request.messages.length;
        return false;
      }
      load.accepted += request.messages.length;
      for (const m of request.messages) {
        this.accepted.set(m.messageId, {
          messageId: m.messageId,
          channel: m.channel,
          phase: load.phase,
          acceptedAt: answeredAt,
          ...(m.order ? { order: m.order } : {}),
        });
      }
      return true;
    } catch (error) {
      if (load.errors.length < 10) load.errors.push(error instanceof Error ? error.message : String(error));
      if (willRetry) return false;
      load.failedRequests++;
      load.failedEvents += request.messages.length;
      return false;
    } finally {
      this.inFlightRequests--;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
