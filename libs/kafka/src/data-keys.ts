import { createCipheriv, createDecipheriv, DecipherGCM, randomFillSync } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Envelope, TopicDefinition } from '@o2o/contracts';

/** A data key: 32 random bytes (AES-256-GCM) and the id messages name it by. */
export interface DataKey {
  kid: string;
  key: Buffer;
}

/**
 * Where data keys come from: identity-resolution's key store (in its own process directly, in
 * the other services over its HTTP API). Keys exist per subject: `routing:<userId or anonymousId>`
 * for the topics before identity resolution, `customer:<customer id>` after it. An erasure
 * destroys the keys of the customer's subjects; a destroyed key never comes back (a later event
 * of the same subject gets a new key with a new id).
 */
export interface DataKeySource {
  /** The current key of each subject, created when it has none. */
  forSubjects(subjects: string[]): Promise<Map<string, DataKey>>;
  /** Keys by id; an id missing from the answer names a destroyed key. */
  byIds(kids: string[]): Promise<Map<string, Buffer>>;
}

/** Nest token of the process's DataKeySource (absent: sealing off, see DATA_SEALING). */
export const DATA_KEYS = Symbol('DATA_KEYS');

/** The key-store subject of a message subject on a sealed topic. */
export function keySubject(kind: 'routing' | 'customer', subject: string): string {
  return `${kind}:${subject}`;
}

export interface DataKeyCacheOptions {
  /** How long a key is used from memory before it is asked for again (bounds how long a destroyed key keeps working in a process). */
  ttlMs: number;
  max?: number;
}

/**
 * Keys kept in process, so the hot path asks the key store once per batch for the keys it has
 * not seen (and not once per message). A destroyed key is remembered as destroyed: it never
 * comes back.
 */
export class CachedDataKeys implements DataKeySource {
  private readonly bySubject: LRUCache<string, DataKey>;
  private readonly byId: LRUCache<string, Buffer>;
  private readonly destroyed: LRUCache<string, true>;

  constructor(
    private readonly source: DataKeySource,
    options: DataKeyCacheOptions,
  ) {
    const max = options.max ?? 100000;
    this.bySubject = new LRUCache({ max, ttl: Math.max(1, options.ttlMs) });
    this.byId = new LRUCache({ max, ttl: Math.max(1, options.ttlMs) });
    this.destroyed = new LRUCache({ max });
  }

  async forSubjects(subjects: string[]): Promise<Map<string, DataKey>> {
    const found = new Map<string, DataKey>();
    const missing: string[] = [];
    for (const subject of new Set(subjects)) {
      const cached = this.bySubject.get(subject);
      if (cached) found.set(subject, cached);
      else missing.push(subject);
    }
    if (missing.length > 0) {
      for (const [subject, key] of await this.source.forSubjects(missing)) {
        this.bySubject.set(subject, key);
        this.byId.set(key.kid, key.key);
        found.set(subject, key);
      }
    }
    return found;
  }

  async byIds(kids: string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const kid of new Set(kids)) {
      if (this.destroyed.has(kid)) continue;
      const cached = this.byId.get(kid);
      if (cached) found.set(kid, cached);
      else missing.push(kid);
    }
    if (missing.length > 0) {
      const answered = await this.source.byIds(missing);
      for (const kid of missing) {
        const key = answered.get(kid);
        if (key) {
          this.byId.set(kid, key);
          found.set(kid, key);
        } else {
          this.destroyed.set(kid, true);
        }
      }
    }
    return found;
  }

  /** Forgets every key of these subjects and ids (the erasing process itself, at once). */
  forget(subjects: string[], kids: string[]): void {
    for (const subject of subjects) this.bySubject.delete(subject);
    for (const kid of kids) {
      this.byId.delete(kid);
      this.destroyed.set(kid, true);
    }
  }
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Raised when sealed data does not open under its key: altered or mislabelled, never a destroyed key. */
export class SealBrokenError extends Error {
  constructor(detail: string) {
    super(`sealed data does not open: ${detail}`);
    this.name = 'SealBrokenError';
  }
}

/**
 * Random IVs drawn from a pool filled 512 at a time: the same CSPRNG bytes as one
 * `randomBytes(12)` per message, without a call into it per message (a sixth of the cost of
 * sealing a small event, docs/performance.md). Each IV is copied into its sealed value before
 * the pool is refilled, and no IV is handed out twice.
 */
const ivPool = Buffer.alloc(IV_BYTES * 512);
let ivPoolNext = ivPool.length;

function nextIv(): Buffer {
  if (ivPoolNext + IV_BYTES > ivPool.length) {
    randomFillSync(ivPool);
    ivPoolNext = 0;
  }
  const iv = ivPool.subarray(ivPoolNext, ivPoolNext + IV_BYTES);
  ivPoolNext += IV_BYTES;
  return iv;
}

/** AES-256-GCM of `plain` under `key`, bound to `aad`: base64url(iv ‖ ciphertext ‖ tag). */
export function seal(key: Buffer, plain: Buffer | string, aad: string): string {
  const iv = nextIv();
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = typeof plain === 'string' ? cipher.update(plain, 'utf8') : cipher.update(plain);
  const final = cipher.final();
  return Buffer.concat([iv, body, final, cipher.getAuthTag()]).toString('base64url');
}

/** The inverse of seal; throws SealBrokenError when the key, the AAD or the bytes do not match. */
export function unseal(key: Buffer, sealed: string, aad: string): Buffer {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new SealBrokenError('too short');
  try {
    const decipher = decipherOf(key, bytes, aad);
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch (error) {
    throw new SealBrokenError(error instanceof Error ? error.message : String(error));
  }
}

/** unseal's plain bytes as UTF-8 text, decoded by the decipher itself (no intermediate buffers). */
function unsealText(key: Buffer, sealed: string, aad: string): string {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new SealBrokenError('too short');
  try {
    const decipher = decipherOf(key, bytes, aad);
    return decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES), undefined, 'utf8') + decipher.final('utf8');
  } catch (error) {
    throw new SealBrokenError(error instanceof Error ? error.message : String(error));
  }
}

function decipherOf(key: Buffer, bytes: Buffer, aad: string): DecipherGCM {
  const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return decipher;
}

/** A sealed event as it travels: the envelope without its data, `datakeyid`, and `data` sealed. */
export type SealedEvent = Omit<Envelope, 'data'> & { datakeyid: string; data: string };

function envelopeAad(event: { id: string; type: string; version: number; subject: string }, kid: string): string {
  return ['o2o-event', event.id, event.type, String(event.version), event.subject, kid].join('\n');
}

/** The event with its data sealed under `key`; the other attributes stay in clear. */
export function sealEvent(event: Envelope, key: DataKey): SealedEvent {
  return {
    ...event,
    datakeyid: key.kid,
    data: seal(key.key, JSON.stringify(event.data), envelopeAad(event, key.kid)),
  };
}

/** The key id of a decoded message value when it is a sealed event, else undefined. */
export function sealedKeyId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as { datakeyid?: unknown; data?: unknown };
  return typeof candidate.datakeyid === 'string' && typeof candidate.data === 'string' ? candidate.datakeyid : undefined;
}

/** The plain event of a sealed one (throws SealBrokenError when it does not open). */
export function openEvent(value: Record<string, unknown>, key: Buffer): Record<string, unknown> {
  const datakeyid = String(value['datakeyid']);
  const head = {
    id: String(value['id']),
    type: String(value['type']),
    version: Number(value['version']),
    subject: String(value['subject']),
  };
  let plain: unknown;
  try {
    plain = JSON.parse(unsealText(key, String(value['data']), envelopeAad(head, datakeyid)));
  } catch (error) {
    if (error instanceof SealBrokenError) throw error;
    throw new SealBrokenError('not JSON inside');
  }
  // One copy of the attributes, without the key id, with the data opened.
  const event: Record<string, unknown> = {};
  for (const name of Object.keys(value)) if (name !== 'datakeyid') event[name] = name === 'data' ? plain : value[name];
  return event;
}

/** Header marking a dead letter whose original value was sealed when it was dead-lettered (see sealDeadLetter). */
export const sealedDeadLetterHeader = 'o2o-sealed-dead-letter';

/** Marker and key id of a dead letter's sealed value. */
interface SealedDeadLetterValue {
  o2osealed: 'dead-letter';
  datakeyid: string;
  data: string;
}

/**
 * A dead letter's value sealed under its subject's key: raw intake messages and values that
 * did not decode carry personal data in clear, and dead-letter topics are event logs.
 */
export function sealDeadLetter(value: Buffer, key: DataKey): Buffer {
  const sealed: SealedDeadLetterValue = {
    o2osealed: 'dead-letter',
    datakeyid: key.kid,
    data: seal(key.key, value, `o2o-dead-letter\n${key.kid}`),
  };
  return Buffer.from(JSON.stringify(sealed), 'utf8');
}

/** The key id of a dead letter value sealed by sealDeadLetter, else undefined. */
export function sealedDeadLetterKeyId(value: Buffer | null): string | undefined {
  if (!value || value.length === 0 || value[0] !== 0x7b) return undefined;
  try {
    const parsed = JSON.parse(value.toString('utf8')) as Partial<SealedDeadLetterValue>;
    return parsed.o2osealed === 'dead-letter' && typeof parsed.datakeyid === 'string' && typeof parsed.data === 'string'
      ? parsed.datakeyid
      : undefined;
  } catch {
    return undefined;
  }
}

/** The original value of a sealed dead letter. */
export function openDeadLetter(value: Buffer, key: Buffer): Buffer {
  const parsed = JSON.parse(value.toString('utf8')) as SealedDeadLetterValue;
  return unseal(key, parsed.data, `o2o-dead-letter\n${parsed.datakeyid}`);
}

/** The kind of key-store subject a topic's message subjects (or keys) are. */
export function subjectKindOf(topic: TopicDefinition | undefined): 'routing' | 'customer' {
  if (!topic) return 'customer';
  if (topic.sealed) return topic.sealed;
  // Raw intake messages are keyed by their routing identifier (recommended to channels).
  return topic.events === null ? 'routing' : 'customer';
}
