import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { hashWriteKey, newSourceId, newWriteKey, signatureMatches, signBody } from './source-credentials';

describe('source credentials', () => {
  it('generates distinct, prefixed write keys', () => {
    const keys = new Set(Array.from({ length: 1000 }, newWriteKey));
    expect(keys.size).toBe(1000);
    for (const key of keys) expect(key).toMatch(/^wk_[A-Za-z0-9_-]{43}$/);
  });

  it('hashes deterministically and never returns the key', () => {
    const key = newWriteKey();
    expect(hashWriteKey(key)).toBe(hashWriteKey(key));
    expect(hashWriteKey(key)).not.toContain(key.slice(3));
    expect(hashWriteKey(key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts exactly the HMAC of the body', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (body, secret) => {
        const header = `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
        expect(signatureMatches(secret, body, header)).toBe(true);
        expect(signatureMatches(secret, `${body} `, header)).toBe(false);
        expect(signatureMatches(`${secret}x`, body, signBody(secret, body))).toBe(false);
        expect(signatureMatches(secret, body, undefined)).toBe(false);
      }),
    );
  });

  it('derives readable source ids', () => {
    expect(newSourceId('Café Stores – Berlin')).toMatch(/^cafe-stores-berlin-[0-9a-f]{6}$/);
    expect(newSourceId('!!!')).toMatch(/^source-[0-9a-f]{6}$/);
  });
});
