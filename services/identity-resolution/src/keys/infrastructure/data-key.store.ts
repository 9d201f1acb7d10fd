import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Collection, Connection } from 'mongoose';
import { CachedDataKeys, DataKey, DataKeySource, seal, unseal } from '@o2o/kafka';
import { isDuplicateKeyError, SerialGate } from '@o2o/mongo';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../../identity.tokens';

/**
 * One subject's data key. The subject is stored as a keyed hash (it may be a userId, which is
 * personal data); the key itself only wrapped by the master key, bound to its id.
 */
export interface DataKeyDocument {
  /** HMAC-SHA256 of the subject (`routing:<id>` or `customer:<id>`), keyed with the pseudonym key. */
  _id: string;
  kid: string;
  /** AES-256-GCM of the 32-byte key under the master key (AAD: the key id). */
  wrapped: string;
  /** Which master key wrapped it (first 16 hex digits of its SHA-256). */
  masterKeyId: string;
  createdAt: Date;
}

/** FerretDB v1 on SQLite never answers a command of about 100 statements: writes go in chunks. */
const CHUNK = 50;

/**
 * The platform's data keys (crypto-shredding, docs/security.md), owned by identity-resolution:
 * it knows every subject of a customer (the customer id, the ids merged into it, the routing
 * identifiers it was seen under) and runs erasure, which destroys their keys here. Other
 * services reach the keys only through its API (`/v1/data-keys/*`, scope data-keys:use).
 *
 * A destroyed key is deleted: nothing can open the messages sealed under it, wherever they are
 * kept. A later event of the same subject gets a new key, under a new id.
 */
@Injectable()
export class DataKeyStore implements DataKeySource, OnModuleInit {
  private readonly masterKey: Buffer;
  private readonly masterKeyId: string;
  private readonly pseudonymKey: string;
  /** What this process's own publisher and consumer use: a per-batch cache in front of the store. */
  readonly cached: CachedDataKeys;
  /**
   * Key creation from the API (other services' batches) and from this process's publisher, one
   * insert at a time: FerretDB v1 stalls on concurrent bulk writes to one database. Its own gate,
   * not the graph's: a publish inside a graph write must not wait for itself.
   */
  private readonly inserts = new SerialGate();

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(IDENTITY_CONFIG) config: IdentityResolutionConfig,
  ) {
    this.masterKey = Buffer.from(config.DATA_KEYS_MASTER_KEY, 'base64');
    this.masterKeyId = createHash('sha256').update(this.masterKey).digest('hex').slice(0, 16);
    this.pseudonymKey = config.PRIVACY_PSEUDONYM_KEY;
    this.cached = new CachedDataKeys(this, { ttlMs: config.DATA_KEYS_CACHE_SECONDS * 1000 });
  }

  private get keys(): Collection<DataKeyDocument> {
    return this.connection.collection<DataKeyDocument>('data_keys');
  }

  async onModuleInit(): Promise<void> {
    const existing = await this.keys
      .listIndexes()
      .toArray()
      .catch(() => []);
    if (!existing.some((index: { name?: string }) => index.name === 'kid_1')) await this.keys.createIndex({ kid: 1 }, { unique: true });
  }

  private subjectId(subject: string): string {
    return createHmac('sha256', this.pseudonymKey).update(`data-key\0${subject}`, 'utf8').digest('hex');
  }

  async forSubjects(subjects: string[]): Promise<Map<string, DataKey>> {
    const ids = new Map([...new Set(subjects)].map((subject) => [this.subjectId(subject), subject]));
    const found = await this.read([...ids.keys()]);
    const missing = [...ids.keys()].filter((id) => !found.has(id));
    for (let at = 0; at < missing.length; at += CHUNK) {
      const documents = missing.slice(at, at + CHUNK).map((id) => this.newKey(id));
      await this.inserts.run(async () => {
        try {
          await this.keys.insertMany(documents, { ordered: false });
        } catch (error) {
          // Another instance (or call) created some of them first: theirs win, read below.
          if (!isDuplicateKeyError(error)) throw error;
        }
      });
    }
    if (missing.length > 0) for (const [id, key] of await this.read(missing)) found.set(id, key);
    const answer = new Map<string, DataKey>();
    for (const [id, key] of found) {
      const subject = ids.get(id);
      if (subject !== undefined) answer.set(subject, key);
    }
    return answer;
  }

  async byIds(kids: string[]): Promise<Map<string, Buffer>> {
    const answer = new Map<string, Buffer>();
    const unique = [...new Set(kids)];
    for (let at = 0; at < unique.length; at += 500) {
      for (const document of await this.keys.find({ kid: { $in: unique.slice(at, at + 500) } }).toArray()) {
        answer.set(document.kid, this.unwrap(document));
      }
    }
    return answer;
  }

  /** Destroys the keys of these subjects (an erasure); returns how many there were. */
  async destroy(subjects: string[]): Promise<number> {
    const ids = [...new Set(subjects)].map((subject) => this.subjectId(subject));
    if (ids.length === 0) return 0;
    const documents = await this.keys.find({ _id: { $in: ids } }, { projection: { kid: 1 } }).toArray();
    const result = await this.keys.deleteMany({ _id: { $in: ids } });
    this.cached.forget(
      subjects,
      documents.map((d) => d.kid),
    );
    return result.deletedCount;
  }

  private async read(ids: string[]): Promise<Map<string, DataKey>> {
    const found = new Map<string, DataKey>();
    for (let at = 0; at < ids.length; at += 500) {
      for (const document of await this.keys.find({ _id: { $in: ids.slice(at, at + 500) } }).toArray()) {
        found.set(document._id, { kid: document.kid, key: this.unwrap(document) });
      }
    }
    return found;
  }

  private newKey(id: string): DataKeyDocument {
    const kid = `dk_${randomBytes(16).toString('base64url')}`;
    const key = randomBytes(32);
    return {
      _id: id,
      kid,
      wrapped: seal(this.masterKey, key, `o2o-data-key\n${kid}`),
      masterKeyId: this.masterKeyId,
      createdAt: new Date(),
    };
  }

  private unwrap(document: DataKeyDocument): Buffer {
    if (document.masterKeyId !== this.masterKeyId)
      throw new Error(`data key ${document.kid} is wrapped by master key ${document.masterKeyId}, not the configured one`);
    return unseal(this.masterKey, document.wrapped, `o2o-data-key\n${document.kid}`);
  }
}
