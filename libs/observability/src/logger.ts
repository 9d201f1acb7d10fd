import pino, { Logger, LoggerOptions } from 'pino';

/**
 * Paths whose values are personal data. Logs must never carry raw e-mails, phone numbers, names
 * or addresses, wherever in a logged object they appear (one or two levels deep, and inside
 * Segment traits/context.traits).
 */
export const personalDataKeys = [
  'email', 'phone', 'mobile', 'firstName', 'lastName', 'name', 'address', 'street', 'birthday',
  'birthDate', 'nationalId', 'password', 'ip', 'authorization', 'cookie', 'writeKey', 'value',
];

export const redactPaths: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-signature"]',
  ...personalDataKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.traits.${key}`, `*.*.traits.${key}`]),
  'traits', '*.traits', 'raw', '*.raw',
];

export interface LoggerSettings {
  service: string;
  level: LoggerOptions['level'];
}

export function createLogger(settings: LoggerSettings): Logger {
  return pino({
    level: settings.level ?? 'info',
    base: { service: settings.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  });
}

export type { Logger };
