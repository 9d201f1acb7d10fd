import pino, { Logger, LoggerOptions } from 'pino';

/**
 * Paths whose values are personal data. Logs must never carry raw e-mails, phone numbers, names
 * or addresses, wherever in a logged object they appear (one or two levels deep, and inside
 * Segment traits/context.traits).
 */
export const personalDataKeys = [
  'email',
  'phone',
  'mobile',
  'firstName',
  'lastName',
  'name',
  'address',
  'street',
  'birthday',
  'birthDate',
  'nationalId',
  'password',
  'ip',
  'authorization',
  'cookie',
  'writeKey',
  'value',
];

export const redactPaths: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-signature"]',
  ...personalDataKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.traits.${key}`, `*.*.traits.${key}`]),
  'traits',
  '*.traits',
  'raw',
  '*.raw',
];

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// As it appears in a URL path: the @ percent-encoded.
const ENCODED_EMAIL = /[A-Za-z0-9._%+-]+%40[A-Za-z0-9.-]+\.[A-Za-z]{2,}/gi;
/**
 * Paths that carry an identifier value (an e-mail, phone, user id, loyalty card): the identity
 * lookup, the privacy requests and the next action by identifier. The value is masked whatever
 * its type, so no log line says whom an agent looked up or a privacy officer erased.
 */
const IDENTIFIER_PATH = /(\/v1\/(?:identities|privacy\/customers|customers\/by)\/[^/?#\s"]+\/)[^/?#\s"]+/g;
// International or long national numbers with optional separators; short numbers (ports,
// counts, years) stay readable.
const PHONE = /(?:\+|\b00)[1-9][\d\s().-]{6,18}\d|\b0\d[\d\s().-]{7,14}\d\b/g;

/** Replaces e-mail addresses and phone numbers inside free text, and identifier values in request paths. */
export function scrubText(text: string): string {
  return text
    .replace(IDENTIFIER_PATH, '$1[redacted]')
    .replace(ENCODED_EMAIL, '[email]')
    .replace(EMAIL, '[email]')
    .replace(PHONE, '[phone]');
}

/**
 * Second line of defence behind the path-based redaction: e-mails and phone numbers anywhere in a
 * logged object, at any depth and inside messages, are masked.
 */
export function scrubPersonalData(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubPersonalData(v, depth + 1));
  if (value instanceof Error)
    return { type: value.name, message: scrubText(value.message), stack: value.stack ? scrubText(value.stack) : undefined };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubPersonalData(v, depth + 1);
  return out;
}

/**
 * Serializers for request logs (pino-http): the URL scrubbed like any text. Needed besides the log
 * formatter, which sees the request before pino-http's serializer turns it into the logged line.
 */
export const requestLogSerializers = {
  req: (req: { url?: unknown }) => {
    if (typeof req.url === 'string') req.url = scrubText(req.url);
    return req;
  },
};

export interface LoggerSettings {
  service: string;
  level: LoggerOptions['level'];
  /** Where lines go (stdout by default; tests capture them). */
  destination?: pino.DestinationStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  return pino(
    {
      level: settings.level ?? 'info',
      base: { service: settings.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubPersonalData(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    settings.destination,
  );
}

export type { Logger };
