import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@o2o/config';
import { defaultProfilingConfig } from '../profiling/domain';
import { loadNeedsProfilingConfig } from './needs-profiling.config';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadNeedsProfilingConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a configuration error');
};

describe('needs-profiling config', () => {
  it('has working defaults', () => {
    const config = loadNeedsProfilingConfig({});
    expect(config).toMatchObject({
      HTTP_PORT: 3003,
      MONGO_DB: 'needs_profiling',
      KAFKA_GROUP_ID: 'needs-profiling',
      NEEDS_STAGE_SWEEP_INTERVAL_MS: 3_600_000,
      NEEDS_JOURNAL_LIMIT: 500,
    });
    expect(config.profiling).toEqual(defaultProfilingConfig);
  });

  it('reads the profiling configuration inline or from a file', () => {
    const document = JSON.stringify({ stages: { lapsingAfterDays: 30, lostAfterDays: 200 } });
    expect(loadNeedsProfilingConfig({ NEEDS_PROFILING_CONFIG: document }).profiling.stages.lapsingAfterDays).toBe(30);
    const file = join(mkdtempSync(join(tmpdir(), 'needs-')), 'profiling.json');
    writeFileSync(file, document);
    expect(loadNeedsProfilingConfig({ NEEDS_PROFILING_CONFIG_FILE: file }).profiling.stages.lostAfterDays).toBe(200);
  });

  it('fails naming every problem inside the document', () => {
    const problems = problemsOf({
      NEEDS_PROFILING_CONFIG: JSON.stringify({ stages: { lapsingAfterDays: 400 }, questionBank: { cooldownDays: -1 } }),
    });
    expect(problems.map((p) => p.variable)).toEqual(
      expect.arrayContaining(['NEEDS_PROFILING_CONFIG.stages.lostAfterDays', 'NEEDS_PROFILING_CONFIG.questionBank.cooldownDays']),
    );
  });

  it('fails on unreadable documents and on both sources at once', () => {
    expect(problemsOf({ NEEDS_PROFILING_CONFIG: '{not json' })[0]?.variable).toBe('NEEDS_PROFILING_CONFIG');
    expect(problemsOf({ NEEDS_PROFILING_CONFIG_FILE: '/no/such/file.json' })[0]?.problem).toMatch(/cannot read/);
    expect(problemsOf({ NEEDS_PROFILING_CONFIG: '{}', NEEDS_PROFILING_CONFIG_FILE: '/x.json' })[0]?.problem).toMatch(/not both/);
  });
});
