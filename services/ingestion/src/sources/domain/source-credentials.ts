import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new write key: 32 random bytes, URL-safe, recognisable by its prefix in secret scanners. */
export function newWriteKey(): string {
  return `wk_${randomBytes(32).toString('base64url')}`;
}

/** A new HMAC signing secret for sources that must sign their requests. */
export function newSigningSecret(): string {
  return `ss_${randomBytes(32).toString('base64url')}`;
}

/** Write keys are high-entropy random strings, so a fast hash is enough to store them safely. */
export function hashWriteKey(writeKey: string): string {
  return createHash('sha256').update(writeKey, 'utf8').digest('hex');
}

/** Header a signing source sends: "sha256=<hex HMAC-SHA256 of the raw body>". */
export const SIGNATURE_HEADER = 'x-signature';

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Constant-time check of a request signature. */
export function signatureMatches(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Ids are slugs of the name plus a random suffix, readable in logs and metrics. */
export function newSourceId(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  return `${slug || 'source'}-${randomBytes(3).toString('hex')}`;
}
