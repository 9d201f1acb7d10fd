import type { Connection } from 'mongoose';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { invalidCredential } from './auth-errors';
import type { AuthSettings } from './auth-settings';
import type { Principal } from './principal';

/** Prefix of every API key: tells it apart from a JWT in the Authorization header. */
export const API_KEY_PREFIX = 'o2o_';

/** An API key as stored: never the key itself, only a digest of its secret. */
export interface ApiKeyDocument {
  _id: string;
  /** Who the key was issued to (a team, a system). */
  owner: string;
  scopes: string[];
  /** SHA-256 of the secret part (the secret is 32 random bytes, so a plain digest cannot be searched). */
  hash: string;
  /** The secret before the last rotation, accepted until previousValidUntil. */
  previousHash?: string;
  previousValidUntil?: Date;
  createdAt: Date;
  rotatedAt?: Date;
  expiresAt?: Date;
  revokedAt?: Date;
}

/** What the admin API shows of a key. */
export interface ApiKeyView {
  id: string;
  owner: string;
  scopes: string[];
  createdAt: string;
  rotatedAt?: string;
  expiresAt?: string;
  revokedAt?: string;
}

export function viewOf(doc: ApiKeyDocument): ApiKeyView {
  return {
    id: doc._id,
    owner: doc.owner,
    scopes: doc.scopes,
    createdAt: doc.createdAt.toISOString(),
    ...(doc.rotatedAt ? { rotatedAt: doc.rotatedAt.toISOString() } : {}),
    ...(doc.expiresAt ? { expiresAt: doc.expiresAt.toISOString() } : {}),
    ...(doc.revokedAt ? { revokedAt: doc.revokedAt.toISOString() } : {}),
  };
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Equal digests, compared in constant time. */
function sameDigest(secret: string, storedHex: string | undefined): boolean {
  if (storedHex === undefined) return false;
  const stored = Buffer.from(storedHex, 'hex');
  const given = digest(secret);
  return stored.length === given.length && timingSafeEqual(stored, given);
}

/** `o2o_<id>_<secret>`: the id finds the record, the secret proves possession. */
export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const match = /^o2o_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/.exec(key);
  return match?.[1] !== undefined && match[2] !== undefined ? { id: match[1], secret: match[2] } : undefined;
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Scoped API keys for machine clients, in the service's own database (`api_keys`): created with
 * an owner and scopes, rotated (the previous secret keeps working for a grace period), revoked.
 * A checked key is remembered for `apiKeyCacheSeconds`, so hot routes do not read the database
 * per call; a revocation is immediate on the instance that made it and reaches the others
 * within that time.
 */
export class ApiKeyStore {
  private readonly checked: LRUCache<string, { doc: ApiKeyDocument | null; readAt: number }>;

  constructor(
    private readonly connection: Connection,
    private readonly settings: AuthSettings,
  ) {
    this.checked = new LRUCache({ max: 10_000 });
  }

  private get keys() {
    return this.connection.collection<ApiKeyDocument>('api_keys');
  }

  async create(input: { owner: string; scopes: string[]; expiresAt?: Date }): Promise<{ key: string; view: ApiKeyView }> {
    const id = randomBytes(8).toString('hex');
    const secret = newSecret();
    const doc: ApiKeyDocument = {
      _id: id,
      owner: input.owner,
      scopes: input.scopes,
      hash: digest(secret).toString('hex'),
      createdAt: new Date(),
      ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
    };
    await this.keys.insertOne(doc);
    return { key: `${API_KEY_PREFIX}${id}_${secret}`, view: viewOf(doc) };
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.find({}).sort({ createdAt: 1 }).toArray()).map(viewOf);
  }

  /** A new secret; the current one keeps working for graceSeconds so clients can switch. */
  async rotate(id: string, graceSeconds: number): Promise<{ key: string; view: ApiKeyView } | undefined> {
    const current = await this.keys.findOne({ _id: id });
    if (!current || current.revokedAt) return undefined;
    const secret = newSecret();
    const now = new Date();
    const updated: ApiKeyDocument = {
      ...current,
      hash: digest(secret).toString('hex'),
      previousHash: current.hash,
      previousValidUntil: new Date(now.getTime() + graceSeconds * 1000),
      rotatedAt: now,
    };
    // Conditional on the hash read, so two concurrent rotations cannot both win.
    const result = await this.keys.replaceOne({ _id: id, hash: current.hash }, updated);
    if (result.modifiedCount !== 1) return undefined;
    this.checked.delete(id);
    return { key: `${API_KEY_PREFIX}${id}_${secret}`, view: viewOf(updated) };
  }

  async revoke(id: string): Promise<ApiKeyView | undefined> {
    const doc = await this.keys.findOneAndUpdate({ _id: id }, { $set: { revokedAt: new Date() } }, { returnDocument: 'after' });
    this.checked.delete(id);
    return doc ? viewOf(doc) : undefined;
  }

  /** The principal of a valid key; a 401 failure for anything else. */
  async authenticate(key: string): Promise<Principal> {
    const parsed = parseApiKey(key);
    if (!parsed) throw invalidCredential('malformed API key');
    const doc = await this.load(parsed.id);
    const now = new Date();
    if (!doc || doc.revokedAt || (doc.expiresAt && doc.expiresAt <= now)) throw invalidCredential('unknown, expired or revoked API key');
    const current = sameDigest(parsed.secret, doc.hash);
    const previous = sameDigest(parsed.secret, doc.previousHash) && doc.previousValidUntil !== undefined && doc.previousValidUntil > now;
    if (!current && !previous) throw invalidCredential('unknown, expired or revoked API key');
    return { kind: 'api-key', subject: doc._id, client: doc.owner, scopes: new Set(doc.scopes) };
  }

  private async load(id: string): Promise<ApiKeyDocument | null> {
    const hit = this.checked.get(id);
    if (hit && Date.now() - hit.readAt < this.settings.apiKeyCacheSeconds * 1000) return hit.doc;
    const doc = await this.keys.findOne({ _id: id });
    this.checked.set(id, { doc, readAt: Date.now() });
    return doc;
  }
}
