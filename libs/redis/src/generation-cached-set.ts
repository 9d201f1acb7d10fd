import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Logger } from '@o2o/observability';

/** Where the set is kept for good (a MongoDB collection): the copy is loaded from it. */
export interface SetSource {
  /** Every member, or undefined when there are more than `max` (the copy is then not kept). */
  loadAll(max: number): Promise<string[] | undefined>;
  /** The members among `values`: the answer when there is no copy to give it. */
  among(values: readonly string[]): Promise<Set<string>>;
}

export interface GenerationCachedSetOptions {
  /** Redis key of the generation token (the client's key prefix applies). */
  key: string;
  /** Largest set copied into the process; above it every check reads the source. */
  maxMembers: number;
  logger: Logger;
}

interface Copy {
  generation: string;
  /** undefined: the set was larger than maxMembers. */
  members: ReadonlySet<string> | undefined;
}

/**
 * A small, rarely changing set (erased customers, erased identifiers) checked on every consumer
 * call: the process keeps a copy, and each check costs one Redis GET of a generation token
 * instead of a database read. Every writer replaces the token after writing the source
 * (`changed()`), so a check whose GET follows that replacement sees a new generation and reloads
 * the copy from the source, which already holds the write. A missing token (Redis restarted or
 * flushed) is recreated, which also forces a reload. When Redis does not answer, or the set is too
 * large to copy, a check reads the source instead: the answer is never older than the source.
 */
export class GenerationCachedSet {
  private copy: Copy | undefined;
  private loading: { generation: string; promise: Promise<Copy> } | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly source: SetSource,
    private readonly options: GenerationCachedSetOptions,
  ) {}

  async among(values: readonly string[]): Promise<Set<string>> {
    if (values.length === 0) return new Set();
    let generation: string;
    try {
      generation = await this.currentGeneration();
    } catch (error) {
      this.options.logger.warn({ err: error, key: this.options.key }, 'generation token unavailable; reading the source');
      return this.source.among(values);
    }
    const copy = await this.copyOf(generation);
    if (copy.members === undefined) return this.source.among(values);
    const members = copy.members;
    return new Set(values.filter((v) => members.has(v)));
  }

  /** To be called after every write to the source; fails when Redis does not take the new token. */
  async changed(): Promise<void> {
    await this.redis.set(this.options.key, randomUUID());
  }

  private async currentGeneration(): Promise<string> {
    const held = await this.redis.get(this.options.key);
    if (held !== null) return held;
    await this.redis.set(this.options.key, randomUUID(), 'NX');
    const created = await this.redis.get(this.options.key);
    if (created === null) throw new Error(`generation token ${this.options.key} disappeared`);
    return created;
  }

  /** The copy for this generation; concurrent checks that find it stale share one reload. */
  private copyOf(generation: string): Promise<Copy> {
    if (this.copy?.generation === generation) return Promise.resolve(this.copy);
    if (this.loading?.generation === generation) return this.loading.promise;
    const promise = this.source.loadAll(this.options.maxMembers).then(
      (all): Copy => {
        const copy: Copy = { generation, members: all === undefined ? undefined : new Set(all) };
        if (this.loading?.promise === promise) this.loading = undefined;
        this.copy = copy;
        return copy;
      },
      (error: unknown) => {
        if (this.loading?.promise === promise) this.loading = undefined;
        throw error;
      },
    );
    this.loading = { generation, promise };
    return promise;
  }
}
