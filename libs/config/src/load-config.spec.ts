import { z } from 'zod';
import {
  baseServiceConfigSchema,
  ConfigError,
  DEVELOPMENT_DATA_KEYS_MASTER_KEY,
  DEVELOPMENT_PSEUDONYM_KEY,
  loadConfig,
} from './load-config';

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig(baseServiceConfigSchema, {});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.KAFKA_FROM_BEGINNING).toBe(true);
  });

  it('names every bad variable in one error', () => {
    const schema = baseServiceConfigSchema.extend({ HTTP_PORT: z.coerce.number().int().min(1) });
    let error: unknown;
    try {
      loadConfig(schema, { KAFKA_BROKERS: 'nonsense', MONGO_URL: 'http://x', HTTP_PORT: 'abc' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable);
    expect(variables).toEqual(expect.arrayContaining(['KAFKA_BROKERS.0', 'MONGO_URL', 'HTTP_PORT']));
    expect((error as ConfigError).message).toContain('MONGO_URL: expected a URL with scheme mongodb or mongodb+srv');
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig(baseServiceConfigSchema, { LOG_LEVEL: '' });
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('parses broker lists', () => {
    const config = loadConfig(baseServiceConfigSchema, { KAFKA_BROKERS: 'a:1, b:2' });
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });

  describe('secure defaults in production', () => {
    const problemsOf = (env: Record<string, string>, schema: z.ZodType = baseServiceConfigSchema) => {
      try {
        loadConfig(schema, env);
        return [];
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return error.problems.map((p) => p.variable);
      }
    };
    const own = {
      PRIVACY_PSEUDONYM_KEY: 'a-secret-of-our-own-0123',
      AUTH_ISSUER: 'https://login.example.com/realms/o2o',
      DATA_KEYS_URL: 'https://identity.internal',
      DATA_KEYS_CLIENT_SECRET: 'a-client-secret-of-our-own',
    };

    it('refuses to start without a pseudonym key, issuer and key store client of its own', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
        'PRIVACY_PSEUDONYM_KEY',
        'AUTH_ISSUER',
        'DATA_KEYS_URL',
        'DATA_KEYS_CLIENT_SECRET',
      ]);
      expect(problemsOf({ NODE_ENV: 'production', ...own, PRIVACY_PSEUDONYM_KEY: DEVELOPMENT_PSEUDONYM_KEY })).toEqual([
        'PRIVACY_PSEUDONYM_KEY',
      ]);
      expect(problemsOf({ NODE_ENV: 'production', ...own })).toEqual([]);
    });

    it('wants the issuer over TLS unless it is on this machine', () => {
      expect(problemsOf({ NODE_ENV: 'production', ...own, AUTH_ISSUER: 'http://idp.internal' })).toEqual(['AUTH_ISSUER']);
      expect(problemsOf({ NODE_ENV: 'production', ...own, AUTH_ISSUER: 'http://127.0.0.1:3005' })).toEqual([]);
    });

    it('refuses the public demo write keys in production only', () => {
      const schema = baseServiceConfigSchema.extend({ INGESTION_DEMO_SOURCES: z.enum(['true', 'false']).transform((v) => v === 'true') });
      expect(problemsOf({ NODE_ENV: 'production', ...own, INGESTION_DEMO_SOURCES: 'true' }, schema)).toEqual(['INGESTION_DEMO_SOURCES']);
      expect(problemsOf({ INGESTION_DEMO_SOURCES: 'true' }, schema)).toEqual([]);
    });

    it('seals personal data in production, and the key store needs a master key of its own', () => {
      expect(problemsOf({ NODE_ENV: 'production', ...own, DATA_SEALING: 'false' })).toEqual(['DATA_SEALING']);
      const owner = baseServiceConfigSchema.extend({ DATA_KEYS_MASTER_KEY: z.string().default(DEVELOPMENT_DATA_KEYS_MASTER_KEY) });
      const { PRIVACY_PSEUDONYM_KEY, AUTH_ISSUER } = own;
      expect(problemsOf({ NODE_ENV: 'production', PRIVACY_PSEUDONYM_KEY, AUTH_ISSUER }, owner)).toEqual(['DATA_KEYS_MASTER_KEY']);
      expect(
        problemsOf(
          { NODE_ENV: 'production', PRIVACY_PSEUDONYM_KEY, AUTH_ISSUER, DATA_KEYS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') },
          owner,
        ),
      ).toEqual([]);
      expect(problemsOf({}, owner)).toEqual([]);
    });

    it('keeps development working with no settings at all', () => {
      expect(problemsOf({})).toEqual([]);
      expect(problemsOf({ NODE_ENV: 'test' })).toEqual([]);
    });
  });

  it('needs user and password with a SASL mechanism', () => {
    let error: unknown;
    try {
      loadConfig(baseServiceConfigSchema, { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([{ variable: 'KAFKA_SASL_PASSWORD', problem: 'required with KAFKA_SASL_MECHANISM' }]);
    const config = loadConfig(baseServiceConfigSchema, {
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'pw',
      KAFKA_SSL: 'true',
    });
    expect({ mechanism: config.KAFKA_SASL_MECHANISM, ssl: config.KAFKA_SSL }).toEqual({ mechanism: 'scram-sha-512', ssl: true });
  });
});
