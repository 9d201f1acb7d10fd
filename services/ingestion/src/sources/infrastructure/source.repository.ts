import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Channel } from '@o2o/contracts';
import { hashWriteKey } from '../domain/source-credentials';
import { Source } from './source.schema';

/** What authentication needs to know about the source behind a write key. */
export interface ActiveSource {
  id: string;
  name: string;
  channel: Channel;
  enabled: boolean;
  requireSignature: boolean;
  signingSecret?: string | undefined;
}

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

const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

/**
 * Sources and their hashed write keys. Lookups by key are cached for a few seconds so
 * authentication is not a database read per request; a disabled or rotated-out key stops
 * working within that time on every instance.
 */
@Injectable()
export class SourceRepository {
  private readonly cache = new Map<string, { source: ActiveSource | null; until: number }>();

  constructor(@InjectModel(Source.name) private readonly sources: Model<Source>) {}

  async findByWriteKey(writeKey: string, now = Date.now()): Promise<ActiveSource | null> {
    const hash = hashWriteKey(writeKey);
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.source;
    const doc = await this.sources.findOne({ 'writeKeys.hash': hash }).lean().exec();
    const key = doc?.writeKeys.find((k) => k.hash === hash);
    const valid = doc && key && (!key.expiresAt || key.expiresAt.getTime() > now);
    const source: ActiveSource | null = valid
      ? { id: doc._id, name: doc.name, channel: doc.channel, enabled: doc.enabled, requireSignature: doc.requireSignature ?? false, signingSecret: doc.signingSecret }
      : null;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { source, until: now + CACHE_TTL_MS });
    return source;
  }

  async create(input: { id: string; name: string; channel: Channel; writeKey: string; signingSecret?: string | undefined }): Promise<SourceView> {
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
    return toView(doc.toObject());
  }

  /** Creates the source if missing (demo sources); never replaces existing keys. */
  async ensure(id: string, name: string, channel: Channel, writeKey: string): Promise<void> {
    const now = new Date();
    await this.sources
      .updateOne(
        { _id: id },
        { $setOnInsert: { name, channel, enabled: true, requireSignature: false, writeKeys: [{ hash: hashWriteKey(writeKey), createdAt: now }], createdAt: now, updatedAt: now } },
        { upsert: true },
      )
      .exec();
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
    this.cache.clear();
    return updated ? toView(updated, now) : null;
  }

  async setEnabled(id: string, enabled: boolean, now = new Date()): Promise<SourceView | null> {
    const updated = await this.sources.findOneAndUpdate({ _id: id }, { $set: { enabled, updatedAt: now } }, { new: true }).lean().exec();
    this.cache.clear();
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
