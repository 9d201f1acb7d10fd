import { z } from 'zod';
import { SegmentMessageV1, outcomeTrackPropertiesV1, platformOnlyEventNames, segmentEventTypes, segmentMessageV1 } from '@o2o/contracts';

/** Segment's limits. */
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
export const MAX_DEPTH = 12;

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. "properties.$where" or "batch.3.userId". */
  field: string;
  /** Machine-readable reason. */
  code: 'required' | 'invalid_type' | 'unknown_event_type' | 'too_large' | 'too_deep' | 'invalid_key' | 'invalid_value';
  message: string;
}

export type ValidationResult = { ok: true; message: SegmentMessageV1 } | { ok: false; issues: ValidationIssue[] };

/**
 * Validates one Segment message: structure first (depth, key names that would be operators or
 * paths in a document store), then the schema of its type. Never throws, whatever the input.
 */
export function validateMessage(input: unknown, fieldPrefix = ''): ValidationResult {
  const at = (path: string) => (fieldPrefix ? (path ? `${fieldPrefix}.${path}` : fieldPrefix) : path || '(root)');
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ field: at(''), code: 'invalid_type', message: 'each message must be a JSON object' }] };
  }
  const structural = checkStructure(input, '', 0);
  if (structural) return { ok: false, issues: [{ ...structural, field: at(structural.field) }] };
  const type = (input as { type?: unknown }).type;
  if (type === undefined) return { ok: false, issues: [{ field: at('type'), code: 'required', message: 'type is required' }] };
  if (typeof type !== 'string' || !(segmentEventTypes as readonly string[]).includes(type)) {
    return {
      ok: false,
      issues: [{ field: at('type'), code: 'unknown_event_type', message: `type must be one of ${segmentEventTypes.join(', ')}` }],
    };
  }
  const parsed = segmentMessageV1.safeParse(input);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((issue) => toIssue(issue, at, input)) };
  const reserved = checkReservedEvent(parsed.data, at);
  return reserved.length > 0 ? { ok: false, issues: reserved } : { ok: true, message: parsed.data };
}

/**
 * Outcome events travel under reserved track names (libs/contracts outcomes.v1): their
 * properties must fit the contract, so a consumer never learns from an outcome it cannot tie to
 * an offer or a question; names the platform alone emits are refused.
 */
function checkReservedEvent(message: SegmentMessageV1, at: (path: string) => string): ValidationIssue[] {
  if (message.type !== 'track') return [];
  if ((platformOnlyEventNames as readonly string[]).includes(message.event)) {
    return [
      {
        field: at('event'),
        code: 'invalid_value',
        message: `"${message.event}" is emitted by the platform only; channels send Offer Presented, Offer Accepted or Offer Declined`,
      },
    ];
  }
  // Own keys only: an event named "constructor" or "toString" is no reserved name.
  if (!Object.hasOwn(outcomeTrackPropertiesV1, message.event)) return [];
  const schema = (outcomeTrackPropertiesV1 as Readonly<Record<string, z.ZodType>>)[message.event];
  if (schema === undefined) return [];
  const properties = message.properties ?? {};
  const parsed = schema.safeParse(properties);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const mapped = toIssue({ ...issue, path: ['properties', ...issue.path] }, at, { properties });
    return { ...mapped, message: `${message.event}: ${mapped.message}` };
  });
}

function toIssue(issue: z.core.$ZodIssue, at: (path: string) => string, input: unknown): ValidationIssue {
  const field = at(issue.path.map(String).join('.'));
  const missing = issue.path.length > 0 && valueAt(input, issue.path) === undefined;
  const required = missing || (issue.code === 'custom' && /required/.test(issue.message));
  return {
    field,
    code: required ? 'required' : issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value',
    message: missing && issue.code !== 'custom' ? `${field} is required` : issue.message,
  };
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cursor: unknown = input;
  for (const key of path) {
    if (typeof cursor !== 'object' || cursor === null) return undefined;
    cursor = (cursor as Record<PropertyKey, unknown>)[key];
  }
  return cursor;
}

function checkStructure(value: unknown, path: string, depth: number): ValidationIssue | undefined {
  if (depth > MAX_DEPTH) return { field: path, code: 'too_deep', message: `nesting deeper than ${MAX_DEPTH} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const issue = checkStructure(value[i], join(path, String(i)), depth + 1);
      if (issue) return issue;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      if (key.startsWith('$') || key.includes('.') || key.includes('\u0000')) {
        return { field: join(path, key), code: 'invalid_key', message: 'keys must not start with "$" or contain "." or NUL' };
      }
      const issue = checkStructure((value as Record<string, unknown>)[key], join(path, key), depth + 1);
      if (issue) return issue;
    }
  }
  return undefined;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
