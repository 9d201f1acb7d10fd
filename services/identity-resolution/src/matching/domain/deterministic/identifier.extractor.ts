import { isSupportedPhoneCountry } from '../normalisation/phone.normaliser';
import { identifierKey, SegmentLikeEvent, TypedIdentifier } from './identifier.model';
import { normaliseIdentifierValue } from './identifier-value.normaliser';
import { CompiledIdentifierType, IdentityRules } from './identity-rules.schema';

export interface ExtractedIdentifier extends TypedIdentifier {
  /** The path it was read from, kept as evidence ("traits.email"). */
  readonly source: string;
}

export interface RejectedIdentifier {
  readonly type: string;
  readonly source: string;
  readonly reason: string;
}

export interface Extraction {
  /** Valid, non-blocked identifiers, one per (type, value), in rule order. */
  readonly identifiers: readonly ExtractedIdentifier[];
  /** Values present but not usable as evidence, each with why. */
  readonly rejected: readonly RejectedIdentifier[];
}

function readPath(event: SegmentLikeEvent, path: string): unknown {
  let current: unknown = event;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    // Own properties only: a path such as "traits.__proto__" must not reach into the prototype.
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function rawValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' && Number.isFinite(value)) return [String(value)];
  // Some sources send several e-mails or phones as an array.
  if (Array.isArray(value)) return value.flatMap((item) => (Array.isArray(item) ? [] : rawValues(item)));
  return [];
}

/** Why a value is blocked, or undefined when it may be used. */
export function blockedReason(rule: CompiledIdentifierType, value: string): string | undefined {
  if (rule.blockedValues.has(value)) return `blocked value: ${rule.type} ${value} is on the blocked list`;
  const pattern = rule.blockedPatterns.find((candidate) => candidate.test(value));
  if (pattern !== undefined) return `blocked value: ${rule.type} ${value} matches ${pattern.source}`;
  return undefined;
}

/** Identifier types in the order they decide: priority first, then name for determinism. */
export function typesByPriority(rules: IdentityRules): CompiledIdentifierType[] {
  return [...rules.types.values()].sort((a, b) => b.priority - a.priority || a.type.localeCompare(b.type));
}

/** The country an event's person lives in, when it says: traits.address.country or traits.country (context.traits as fallback). */
export function countryOfEvent(event: SegmentLikeEvent): string | undefined {
  for (const path of ['traits.address.country', 'traits.country', 'context.traits.address.country', 'context.traits.country']) {
    const value = readPath(event, path);
    if (typeof value === 'string' && value.trim() !== '') return value.trim().toUpperCase();
  }
  return undefined;
}

/**
 * Reads every configured source of every identifier type, normalises and screens the values.
 * Phone numbers written without a country prefix are read in the event's own country when it
 * gives one (address.country), else in the rules' default country.
 * previousId of an alias call is read as the configured type when alias calls mean a merge.
 */
export function extractIdentifiers(event: SegmentLikeEvent, rules: IdentityRules): Extraction {
  const identifiers: ExtractedIdentifier[] = [];
  const rejected: RejectedIdentifier[] = [];
  const seen = new Set<string>();

  const country = countryOfEvent(event);
  const settings =
    country !== undefined && country.length === 2 && isSupportedPhoneCountry(country)
      ? { ...rules.normaliserSettings, phone: { ...rules.normaliserSettings.phone, defaultCountry: country } }
      : rules.normaliserSettings;
  const consider = (rule: CompiledIdentifierType, source: string, raw: string): void => {
    const result = normaliseIdentifierValue(rule.normaliser, raw, settings);
    if (!result.ok) {
      rejected.push({ type: rule.type, source, reason: `invalid ${rule.type}: ${result.detail}` });
      return;
    }
    const blocked = blockedReason(rule, result.value);
    if (blocked !== undefined) {
      rejected.push({ type: rule.type, source, reason: blocked });
      return;
    }
    const identifier = { type: rule.type, value: result.value, source };
    const key = identifierKey(identifier);
    if (seen.has(key)) return;
    seen.add(key);
    identifiers.push(identifier);
  };

  for (const rule of typesByPriority(rules)) {
    for (const source of rule.sources) {
      for (const raw of rawValues(readPath(event, source))) consider(rule, source, raw);
    }
  }

  if (event.type === 'alias' && rules.alias.effect === 'merge') {
    const rule = rules.types.get(rules.alias.previousIdType);
    const previous = rawValues(event.previousId);
    if (rule !== undefined) for (const raw of previous) consider(rule, 'previousId', raw);
  }
  return { identifiers, rejected };
}
