import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4's record batch checksum, as patched by patches/kafkajs+2.2.4.patch: CRC32C from
 * @node-rs/crc32's prebuilt binary where it loads, kafkajs's JavaScript table walk otherwise
 * (its own code, kept as the fallback). Both must give the same unsigned 32-bit value: a wrong
 * checksum makes the broker refuse every produce request.
 */
type Crc32C = ((buffer: Buffer) => number) & { implementation: 'native' | 'javascript'; javascript: (buffer: Buffer) => number };

const crc32C = createRequire(__filename)('kafkajs/src/protocol/recordBatch/crc32C') as Crc32C;

describe('kafkajs record batch CRC32C (patched: native where it loads)', () => {
  it('is the native one on this platform (linux-x64 has a prebuilt binary)', () => {
    expect(crc32C.implementation).toBe('native');
    expect(crc32C).not.toBe(crc32C.javascript);
  });

  it('gives the standard check value and the same value as the JavaScript fallback for any buffer', () => {
    // RFC 3720's CRC32C (Castagnoli) check value of "123456789".
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32C.javascript(Buffer.from('123456789'))).toBe(0xe3069283);
    for (const size of [0, 1, 3, 7, 8, 15, 64, 651, 4096, 65537]) {
      const buffer = randomBytes(size);
      const value = crc32C(buffer);
      expect(value).toBe(crc32C.javascript(buffer));
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(0xffffffff);
    }
    // A slice of a larger buffer (kafkajs encodes into pooled buffers) is checksummed over its own bytes only.
    const pool = randomBytes(1000);
    const part = pool.subarray(100, 400);
    expect(crc32C(part)).toBe(crc32C.javascript(Buffer.from(part)));
  });

  it("falls back to kafkajs's own JavaScript checksum when the native package does not load", () => {
    jest.isolateModules(() => {
      jest.doMock('@node-rs/crc32', () => {
        throw new Error('no prebuilt binary for this platform');
      });
      const fallback = jest.requireActual<Crc32C>('kafkajs/src/protocol/recordBatch/crc32C');
      expect(fallback.implementation).toBe('javascript');
      expect(fallback(Buffer.from('123456789'))).toBe(0xe3069283);
    });
  });
});
