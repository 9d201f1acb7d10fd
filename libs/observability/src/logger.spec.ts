import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import pinoHttp from 'pino-http';
import { createLogger, requestLogSerializers, scrubText } from './logger';

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
    logger.info(
      {
        email: 'ada@example.com',
        user: { phone: '+49 30 1234567' },
        event: { traits: { email: 'x@y.org' }, context: { traits: { name: 'Ada' } } },
      },
      'identify',
    );
    logger.warn(
      { deep: { a: { b: { c: { note: 'contact ada.lovelace@example.co.uk or 0049 30 7654321' } } } } },
      'failed for bob@example.com',
    );
    logger.error({ err: new Error('duplicate key for carol@example.com') }, 'write failed');
    const text = lines.join('\n');
    for (const secret of [
      'ada@example.com',
      'x@y.org',
      '1234567',
      'ada.lovelace@example.co.uk',
      '7654321',
      'bob@example.com',
      'carol@example.com',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('identify');
    expect(lines).toHaveLength(3);
  });

  it('keeps ordinary numbers readable', () => {
    expect(scrubText('port 9092, 3 retries, offset 123456, year 2026')).toBe('port 9092, 3 retries, offset 123456, year 2026');
    expect(scrubText('call +44 20 7946 0958 now')).toBe('call [phone] now');
  });

  it('masks identifier values in request paths, encoded or not', () => {
    expect(scrubText('GET /v1/identities/email/anna%40example.com?x=1')).toBe('GET /v1/identities/email/[redacted]?x=1');
    expect(scrubText('/v1/privacy/customers/userId/u-12345/erasure')).toBe('/v1/privacy/customers/userId/[redacted]/erasure');
    expect(scrubText('/v1/customers/by/loyaltyCard/LC-778899/next-action')).toBe('/v1/customers/by/loyaltyCard/[redacted]/next-action');
    expect(scrubText('/v1/customers/cus_0a1b2c/value')).toBe('/v1/customers/cus_0a1b2c/value');
    expect(scrubText('mail anna%40example.com')).toBe('mail [email]');
  });

  it('writes request logs without the identifier in the URL (pino-http, as the services log requests)', async () => {
    const { lines, logger } = capture();
    const http = pinoHttp({ logger, quietReqLogger: true, serializers: requestLogSerializers });
    const server = createServer((req, res) => {
      http(req, res);
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await (await fetch(`http://127.0.0.1:${port}/v1/identities/email/anna%40example.com`)).text();
      await (await fetch(`http://127.0.0.1:${port}/v1/privacy/customers/userId/u-777/export`)).text();
    } finally {
      server.close();
    }
    const text = lines.join('\n');
    expect(text).toContain('/v1/identities/email/[redacted]');
    expect(text).toContain('/v1/privacy/customers/userId/[redacted]/export');
    expect(text).not.toMatch(/anna|u-777/);
  });
});
