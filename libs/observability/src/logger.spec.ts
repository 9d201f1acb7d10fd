import { Writable } from 'node:stream';
import { createLogger, scrubText } from './logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', level: 'info', destination }) };
}

describe('logger', () => {
  it('never writes e-mails or phone numbers, wherever they appear', () => {
    const { lines, logger } = capture();
    logger.info({ email: 'ada@example.com', user: { phone: '+49 30 1234567' }, event: { traits: { email: 'x@y.org' }, context: { traits: { name: 'Ada' } } } }, 'identify');
    logger.warn({ deep: { a: { b: { c: { note: 'contact ada.lovelace@example.co.uk or 0049 30 7654321' } } } } }, 'failed for bob@example.com');
    logger.error({ err: new Error('duplicate key for carol@example.com') }, 'write failed');
    const text = lines.join('\n');
    for (const secret of ['ada@example.com', 'x@y.org', '1234567', 'ada.lovelace@example.co.uk', '7654321', 'bob@example.com', 'carol@example.com']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('identify');
    expect(lines).toHaveLength(3);
  });

  it('keeps ordinary numbers readable', () => {
    expect(scrubText('port 9092, 3 retries, offset 123456, year 2026')).toBe('port 9092, 3 retries, offset 123456, year 2026');
    expect(scrubText('call +44 20 7946 0958 now')).toBe('call [phone] now');
  });
});
