import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@o2o/testing';
import { ModelFitRunner } from '../src/models/infrastructure/model-fit.runner';
import { fitModels } from '../src/models/infrastructure/model-fit.worker';

/** The refit's fits run in a worker thread of the built service and give what the inline fit gives. */
describe('value-scoring model fit in a worker thread (the build)', () => {
  it('fits in the compiled worker with the same result as inline', async () => {
    const runner = new ModelFitRunner();
    runner.workerFile = join(repoRoot(), 'services', 'value-scoring', 'dist', 'models', 'infrastructure', 'model-fit.worker.js');
    expect(existsSync(runner.workerFile)).toBe(true);
    // A deterministic population: repeat buyers of varied recency, age and spend.
    const purchases = Array.from({ length: 400 }, (_, i) => {
      const x = i % 7;
      const T = 20 + (i % 40);
      return { x, tx: x === 0 ? 0 : Math.min(T, 3 + ((i * 13) % T)), T };
    });
    const spend = purchases.filter((p) => p.x > 0).map((p, i) => ({ x: p.x, mx: 20 + ((i * 17) % 90) }));
    const inWorker = await runner.fit({ purchases, spend });
    const inline = fitModels({ purchases, spend });
    expect(inWorker.bgNbd.params).toEqual(inline.bgNbd.params);
    expect(inWorker.gammaGamma.params).toEqual(inline.gammaGamma.params);
    expect(inWorker.bgNbd.customers).toBe(400);

    runner.workerFile = join(repoRoot(), 'no-such-dir', 'model-fit.worker.js');
    expect((await runner.fit({ purchases, spend })).bgNbd.params).toEqual(inline.bgNbd.params);
  }, 60000);

  it('reports a fit that fails in the worker as an error', async () => {
    const runner = new ModelFitRunner();
    runner.workerFile = join(repoRoot(), 'services', 'value-scoring', 'dist', 'models', 'infrastructure', 'model-fit.worker.js');
    await expect(runner.fit({ purchases: [], spend: [] })).rejects.toThrow(/model fit failed: cannot fit BG\/NBD on zero customers/);
  }, 60000);
});
