import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profiledServices } from '../config/bench.config';
import { summariseCpuProfile } from './cpu-profile';

describe('summariseCpuProfile', () => {
  // Boot (module loading) for 3 samples, then the load: handler for 2, idle for 1; 1 ms apart.
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
      { id: 2, callFrame: { functionName: 'compileFunction', url: 'node:internal/modules/cjs/loader', lineNumber: 0 } },
      { id: 3, callFrame: { functionName: 'handleBatch', url: 'file:///repo/services/value-scoring/dist/x.js', lineNumber: 9 } },
      { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    ],
    startTime: 1_000_000,
    endTime: 1_007_000,
    samples: [2, 2, 2, 3, 3, 4, 4],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'cpu-profile-')), 'p.cpuprofile');
  writeFileSync(file, JSON.stringify(profile));

  it('summarises the whole process life without a window', () => {
    const whole = summariseCpuProfile(file);
    expect(whole.window).toBe('process life');
    expect(whole.top.map((f) => f.function)).toEqual(['compileFunction', 'handleBatch']);
  });

  it('keeps only the samples inside the load window (boot left out)', () => {
    // Samples are stamped at startTime + the running sum of deltas: 1_001_000 ... 1_007_000.
    const load = summariseCpuProfile(file, 20, { fromUs: 1_003_500, toUs: 1_007_000 });
    expect(load.window).toBe('load phases');
    expect(load.top.map((f) => f.function)).toEqual(['handleBatch']);
    expect(load.top[0]?.selfPercent).toBe(100);
    expect(load.idlePercent).toBeGreaterThan(0);
    expect(load.byOrigin.map((o) => o.origin)).toEqual(['services/value-scoring']);
  });
});

describe('profiledServices', () => {
  const services = ['ingestion', 'identity-resolution', 'value-scoring'];
  it('takes one service, a list, or all', () => {
    expect(profiledServices(undefined, services)).toEqual([]);
    expect(profiledServices('value-scoring', services)).toEqual(['value-scoring']);
    expect(profiledServices('ingestion, value-scoring', services)).toEqual(['ingestion', 'value-scoring']);
    expect(profiledServices('all', services)).toEqual(services);
  });
  it('refuses a name that is not a pipeline service', () => {
    expect(() => profiledServices('value-scorer', services)).toThrow(/unknown service value-scorer/);
  });
});
