import { z } from 'zod';
import { baseServiceConfigSchema, ConfigError, loadConfig } from './load-config';

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
});
