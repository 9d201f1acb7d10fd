import type { ResolvedEventDataV1 } from '@o2o/contracts';

/**
 * Segment properties, traits and context are free-form JSON, so every read is defensive: a wrong
 * type reads as absent instead of throwing, and the caller decides whether that matters.
 */
export type JsonRecord = Record<string, unknown>;
export type Scalar = string | number | boolean | null;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** First non-empty string among the given property names (Segment specs mix snake and camel case). */
export function readString(record: JsonRecord | undefined, ...names: string[]): string | undefined {
  if (!record) return undefined;
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

export function readRecords(record: JsonRecord | undefined, name: string): JsonRecord[] {
  const value = record?.[name];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export function readRecord(record: JsonRecord | undefined, ...names: string[]): JsonRecord | undefined {
  if (!record) return undefined;
  for (const name of names) {
    const value = record[name];
    if (isRecord(value)) return value;
  }
  return undefined;
}

/**
 * Whether a property signals "yes": true, a positive number, a non-empty string other than a
 * spelled-out no. Coupons arrive as codes, discounts as amounts, gift flags as booleans.
 */
export function isTruthyProperty(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) && value > 0;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    return text !== '' && !['false', 'no', '0', 'none', 'null'].includes(text);
  }
  return false;
}

export function anyTruthy(record: JsonRecord | undefined, names: readonly string[]): boolean {
  return record !== undefined && names.some((name) => isTruthyProperty(record[name]));
}

/** The purpose the collecting channel stated for this event, if it stated one. */
export function statedPurpose(event: Pick<ResolvedEventDataV1, 'properties' | 'context'>): string | undefined {
  return readString(event.properties, 'purpose') ?? readString(event.context, 'purpose');
}

/** Lower-case, dash-separated: "Home Office" and "home_office" must be one category. */
export function slug(text: string, maxLength = 100): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength);
}

/** Attribute names are matched loosely so that smoking_room, smokingRoom and Smoking-Room agree. */
export function attributeNameKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}
