import { loadConfig } from '@o2o/config';
import { BenchFlagError, benchConfigSchema, benchUsage, flagsToEnvironment } from './bench.config';

describe('bench config: the /metrics scrape interval', () => {
  const load = (argv: string[]) => loadConfig(benchConfigSchema, flagsToEnvironment(argv));

  it('scrapes every 15 s by default, as Prometheus would', () => {
    expect(load([]).BENCH_SCRAPE_INTERVAL).toBe(15);
  });

  it('takes --scrape-interval in seconds, fractions included', () => {
    expect(flagsToEnvironment(['--scrape-interval=30'])).toEqual({ BENCH_SCRAPE_INTERVAL: '30' });
    expect(load(['--scrape-interval', '0.5']).BENCH_SCRAPE_INTERVAL).toBe(0.5);
  });

  it('refuses an interval that would scrape without pause, naming the setting', () => {
    expect(() => load(['--scrape-interval=0'])).toThrow(/BENCH_SCRAPE_INTERVAL/);
  });
});

describe('bench config: the command line', () => {
  it('lists every setting in --help with its flag and default, taken from the schema', () => {
    const usage = benchUsage();
    for (const variable of Object.keys(benchConfigSchema.shape)) expect(usage).toContain(variable);
    expect(usage).toMatch(/--scrape-interval=… +BENCH_SCRAPE_INTERVAL +default 15/);
    expect(usage).toMatch(/\(environment only\) +MONGO_URL +optional/);
  });

  it('refuses an unknown flag with a BenchFlagError naming it', () => {
    expect(() => flagsToEnvironment(['--durration=3'])).toThrow(BenchFlagError);
    expect(() => flagsToEnvironment(['--durration=3'])).toThrow('unknown flag --durration');
    expect(() => flagsToEnvironment(['duration'])).toThrow(BenchFlagError);
  });
});
