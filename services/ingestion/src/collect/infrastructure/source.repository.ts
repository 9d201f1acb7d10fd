import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Channel } from '@o2o/contracts';
import { Source } from './source.schema';

export interface ActiveSource {
  id: string;
  name: string;
  channel: Channel;
  enabled: boolean;
}

export function hashWriteKey(writeKey: string): string {
  return createHash('sha256').update(writeKey, 'utf8').digest('hex');
}

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

/** Sources and their hashed write keys; lookups are cached briefly so auth is not a DB read per request. */
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
    const source = valid ? { id: doc._id, name: doc.name, channel: doc.channel, enabled: doc.enabled } : null;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { source, until: now + CACHE_TTL_MS });
    return source;
  }

  /** Creates the source if missing (used for demo sources); never replaces existing keys. */
  async ensure(id: string, name: string, channel: Channel, writeKey: string): Promise<void> {
    await this.sources
      .updateOne(
        { _id: id },
        { $setOnInsert: { name, channel, enabled: true, writeKeys: [{ hash: hashWriteKey(writeKey), createdAt: new Date() }] } },
        { upsert: true },
      )
      .exec();
  }
}
