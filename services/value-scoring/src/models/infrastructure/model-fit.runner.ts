import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Injectable } from '@nestjs/common';
import type { BgNbdFit, GammaGammaFit } from '../../scoring/domain';
import { ModelFitter } from '../application/ports/model-fitter.port';
import { fitModels, ModelFitInput, ModelFitOutput } from './model-fit.worker';

/**
 * Runs the BG/NBD and Gamma-Gamma fits in a worker thread (model-fit.worker), so a refit never
 * blocks the service's event loop. Where the compiled worker is not at hand (tests run the
 * TypeScript sources), the fit runs inline.
 */
@Injectable()
export class ModelFitRunner implements ModelFitter {
  /** The compiled worker (a test points it at the build). */
  workerFile = join(__dirname, 'model-fit.worker.js');

  async fit(input: ModelFitInput): Promise<{ bgNbd: BgNbdFit; gammaGamma: GammaGammaFit }> {
    if (!existsSync(this.workerFile)) return fitModels(input);
    const output = await new Promise<ModelFitOutput>((resolve, reject) => {
      const worker = new Worker(this.workerFile, { workerData: input });
      worker.once('message', (message: ModelFitOutput) => resolve(message));
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (code !== 0) reject(new Error(`model fit worker exited with ${code}`));
      });
    });
    if (!output.ok) throw new Error(`model fit failed: ${output.error}`);
    return { bgNbd: output.bgNbd, gammaGamma: output.gammaGamma };
  }
}
