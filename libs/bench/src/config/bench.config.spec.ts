import { loadConfig } from '@o2o/config';
import { benchConfigSchema, flagsToEnvironment } from './bench.config';

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
