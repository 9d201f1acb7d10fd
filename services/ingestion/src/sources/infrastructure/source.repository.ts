import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Channel } from '@o2o/contracts';
import { LOGGER, Logger, ReadinessRegistry } from '@o2o/observability';
import type { ActiveSource } from '../domain/active-source';
import { hashWriteKey } from '../domain/source-credentials';
import { Source } from './source.schema';

/** What the admin API shows: never a key, a hash or a secret. */
export interface SourceView {
  id: string;
  name: string;
  channel: Channel;
  enabled: boolean;
  requireSignature: boolean;
  /** Valid keys, by creation time and expiry (a rotation leaves two). */
  keys: Array<{ createdAt: string; expiresAt?: string }>;
  createdAt: string;
  updatedAt: string;
}

/** How often every instance reloads its copy of the sources (the bound on how late a revocation is seen). */
export const SOURCES_REFRESH_MS = 2_000;

interface KnownKey {
  source: ActiveSource;
  expiresAt?: number | undefined;
}

/**
 * Sources and their hashed write keys.
 *
 * Authentication never waits for MongoDB: every instance keeps a copy of all sources (there are
 * few: one per channel connection) and reloads it every SOURCES_REFRESH_MS, so a disabled,
 * rotated-out or new key takes effect on every instance within seconds, and at once on the
 * instance that made the change. While MongoDB is away the last copy keeps answering, so events
 * are accepted into Kafka for as long as Kafka is up; only an instance that never loaded a copy
 * (booted during the outage) has to refuse.
 */
@Injectable()
export class SourceRepository implements OnApplicationBootstrap, OnApplicationShutdown {
  private byHash: Map<string, KnownKey> | undefined;
  private loadedAt = 0;
  private loading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failingSince: number | undefined;

  constructor(
    @InjectModel(Source.name) private readonly sources: Model<Source>,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reload().catch(() => undefined);
    this.timer = setInterval(() => void this.reload().catch(() => undefined), SOURCES_REFRESH_MS);
    this.timer.unref();
    // Accepting events needs Kafka and the copy of the sources, not MongoDB: readiness says so
    // (replaces libs/mongo's check for this service; MongoDB's state stays visible in the details).
    this.readiness.register('mongodb', async () => {
      const ping = await pingWithin(this.sources, 1000);
      if (ping) return { sourcesLoadedAt: new Date(this.loadedAt).toISOString() };
      if (!this.byHash) return false;
      return { mongodb: 'unreachable', writeKeysFrom: 'local copy', sourcesLoadedAt: new Date(this.loadedAt).toISOString() };
    });
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async findByWriteKey(writeKey: string, now = Date.now()): Promise<ActiveSource | null> {
    if (!this.byHash) await this.reload();
    const known = this.byHash?.get(hashWriteKey(writeKey));
    if (!known || (known.expiresAt !== undefined && known.expiresAt <= now)) return null;
    return known.source;
  }

  /**
   * Reloads the copy; concurrent callers share one read. `fresh`: the read must start after this
   * call (after a write of this instance). On failure the previous copy stays.
   */
  reload(fresh = false): Promise<void> {
    if (this.loading && fresh) {
      const next = this.loading.catch(() => undefined).then(() => this.reload());
      return next;
    }
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    try {
      const docs = await this.sources.find({}).lean().exec();
      const byHash = new Map<string, KnownKey>();
      for (const doc of docs) {
        // A document just created by an upsert can briefly read back with only its _id.
        if (!Array.isArray(doc.writeKeys) || !doc.channel) continue;
        const source: ActiveSource = {
          id: doc._id,
          name: doc.name,
          channel: doc.channel,
          enabled: doc.enabled,
          requireSignature: doc.requireSignature ?? false,
          signingSecret: doc.signingSecret,
        };
        for (const key of doc.writeKeys)
          byHash.set(key.hash, { source, expiresAt: key.expiresAt ? new Date(key.expiresAt).getTime() : undefined });
      }
      this.byHash = byHash;
      this.loadedAt = Date.now();
      if (this.failingSince !== undefined)
        this.logger.warn({ failedForMs: Date.now() - this.failingSince }, 'sources reloaded from MongoDB again');
      this.failingSince = undefined;
    } catch (error) {
      if (this.failingSince === undefined) {
        this.failingSince = Date.now();
        this.logger.warn(
          { err: error, copyFrom: this.byHash ? new Date(this.loadedAt).toISOString() : null },
          'sources could not be reloaded; write keys are verified from the last copy',
        );
      }
      throw error;
    }
  }

  async create(input: {
    id: string;
    name: string;
    channel: Channel;
    writeKey: string;
    signingSecret?: string | undefined;
  }): Promise<SourceView> {
    const now = new Date();
    const doc = await this.sources.create({
      _id: input.id,
      name: input.name,
      channel: input.channel,
      enabled: true,
      writeKeys: [{ hash: hashWriteKey(input.writeKey), createdAt: now }],
      requireSignature: input.signingSecret !== undefined,
      ...(input.signingSecret ? { signingSecret: input.signingSecret } : {}),
      createdAt: now,
      updatedAt: now,
    });
    await this.reload(true).catch(() => undefined);
    return toView(doc.toObject());
  }

  /** Creates the source if missing (demo sources); never replaces existing keys. */
  async ensure(id: string, name: string, channel: Channel, writeKey: string): Promise<void> {
    const now = new Date();
    try {
      await this.sources
        .updateOne(
          { _id: id },
          {
            $setOnInsert: {
              name,
              channel,
              enabled: true,
              requireSignature: false,
              writeKeys: [{ hash: hashWriteKey(writeKey), createdAt: now }],
              createdAt: now,
              updatedAt: now,
            },
          },
          { upsert: true },
        )
        .exec();
    } catch (error) {
      // Two instances booting at once both upsert: the loser's insert hits a unique index.
      if ((error as { code?: unknown }).code !== 11000) throw error;
    }
    await this.reload(true).catch(() => undefined);
  }

  async list(now = new Date()): Promise<SourceView[]> {
    const docs = await this.sources.find({}).sort({ _id: 1 }).lean().exec();
    return docs.map((d) => toView(d, now));
  }

  async get(id: string, now = new Date()): Promise<SourceView | null> {
    const doc = await this.sources.findById(id).lean().exec();
    return doc ? toView(doc, now) : null;
  }

  /**
   * Adds a new key; keys still valid get `graceUntil` as expiry (unless they expire sooner), so
   * during a rotation both the old and the new key work. Expired keys are dropped.
   */
  async rotate(id: string, newWriteKey: string, graceUntil: Date, now = new Date()): Promise<SourceView | null> {
    const doc = await this.sources.findById(id).lean().exec();
    if (!doc) return null;
    const kept = doc.writeKeys
      .filter((k) => !k.expiresAt || k.expiresAt > now)
      .map((k) => ({ ...k, expiresAt: k.expiresAt && k.expiresAt < graceUntil ? k.expiresAt : graceUntil }));
    const updated = await this.sources
      .findOneAndUpdate(
        { _id: id },
        { $set: { writeKeys: [...kept, { hash: hashWriteKey(newWriteKey), createdAt: now }], updatedAt: now } },
        { new: true },
      )
      .lean()
      .exec();
    await this.reload(true).catch(() => undefined);
    return updated ? toView(updated, now) : null;
  }

  async setEnabled(id: string, enabled: boolean, now = new Date()): Promise<SourceView | null> {
    const updated = await this.sources
      .findOneAndUpdate({ _id: id }, { $set: { enabled, updatedAt: now } }, { new: true })
      .lean()
      .exec();
    await this.reload(true).catch(() => undefined);
    return updated ? toView(updated, now) : null;
  }
}

function toView(doc: Source, now = new Date()): SourceView {
  return {
    id: doc._id,
    name: doc.name,
    channel: doc.channel,
    enabled: doc.enabled,
    requireSignature: doc.requireSignature ?? false,
    keys: doc.writeKeys
      .filter((k) => !k.expiresAt || k.expiresAt > now)
      .map((k) => ({ createdAt: k.createdAt.toISOString(), ...(k.expiresAt ? { expiresAt: k.expiresAt.toISOString() } : {}) })),
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

/** True when MongoDB answers a ping within `ms` (the driver would wait for server selection). */
async function pingWithin(model: Model<Source>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const ping = (model.db.db?.command({ ping: 1 }) ?? Promise.reject(new Error('not connected'))).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
