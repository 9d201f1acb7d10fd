import { nelderMead } from 'fmin';

export interface MinimizeOptions {
  /** Edge of the starting simplex in the optimiser's coordinates (log-parameters for our models). */
  initialStep?: number;
  /** Stop when a whole restart improves the objective by less than this (objective units). */
  tolerance?: number;
  /** Nelder-Mead iterations per run. */
  maxIterations?: number;
  /** Fresh simplices built around the best point after the first run. */
  maxRestarts?: number;
}

export interface MinimizeResult {
  x: number[];
  fx: number;
  evaluations: number;
  runs: number;
  /** A restart from the best point found nothing better: the usual guard against simplex collapse. */
  converged: boolean;
}

export class OptimisationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptimisationError';
  }
}

const defaults: Required<MinimizeOptions> = { initialStep: 0.5, tolerance: 1e-10, maxIterations: 4_000, maxRestarts: 8 };

/** Large but finite: NaN or Infinity would break the simplex ordering and its convergence test. */
const INFEASIBLE = 1e300;

/**
 * fmin's Nelder-Mead builds its first simplex by scaling each coordinate of x0 by 5% (or
 * stepping 0.001 from zero), which is far too small around a log-parameter start of 0. So we
 * hand it u = 1 and map back with θ = origin + (u - 1) · initialStep / 0.05: every first step
 * is then initialStep in θ. fmin 0.0.2 reads its size tolerance from minErrorDelta as well, so
 * one tolerance governs both the value spread and (scaled) simplex size.
 */
export function minimizeNelderMead(
  objective: (theta: readonly number[]) => number,
  start: readonly number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  const settings = { ...defaults, ...options };
  let evaluations = 0;
  const evaluate = (theta: readonly number[]): number => {
    evaluations++;
    const value = objective(theta);
    return Number.isFinite(value) ? value : INFEASIBLE;
  };

  let bestX = [...start];
  let bestF = evaluate(bestX);
  if (bestF >= INFEASIBLE) throw new OptimisationError(`objective is not finite at the starting point [${start.join(', ')}]`);

  const scale = settings.initialStep / 0.05;
  let converged = false;
  let runs = 0;
  while (runs <= settings.maxRestarts) {
    runs++;
    const origin = [...bestX];
    const toTheta = (u: readonly number[]): number[] => origin.map((o, i) => o + ((u[i] ?? 1) - 1) * scale);
    const run = nelderMead(
      (u) => evaluate(toTheta(u)),
      origin.map(() => 1),
      {
        maxIterations: settings.maxIterations,
        minErrorDelta: settings.tolerance,
      },
    );
    const improvement = bestF - run.fx;
    if (run.fx < bestF) {
      bestF = run.fx;
      bestX = toTheta(run.x);
    }
    if (improvement <= settings.tolerance) {
      converged = true;
      break;
    }
  }
  return { x: bestX, fx: bestF, evaluations, runs, converged };
}

/** Central-difference Hessian; h is in the optimiser's coordinates (log-parameters here). */
export function numericalHessian(f: (theta: readonly number[]) => number, at: readonly number[], h = 1e-4): number[][] {
  const n = at.length;
  const shifted = (i: number, di: number, j: number, dj: number): number => {
    const point = [...at];
    point[i] = (point[i] ?? 0) + di;
    point[j] = (point[j] ?? 0) + dj;
    return f(point);
  };
  const f0 = f(at);
  const hessian: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const row = hessian[i] ?? [];
    row[i] = (shifted(i, h, i, 0) - 2 * f0 + shifted(i, -h, i, 0)) / (h * h);
    for (let j = 0; j < i; j++) {
      const value = (shifted(i, h, j, h) - shifted(i, h, j, -h) - shifted(i, -h, j, h) + shifted(i, -h, j, -h)) / (4 * h * h);
      row[j] = value;
      const other = hessian[j] ?? [];
      other[i] = value;
    }
  }
  return hessian;
}

/**
 * Inverse of a symmetric positive-definite matrix through its Cholesky factor, or undefined
 * when the matrix is not positive definite (a saddle or a flat direction: no standard errors).
 */
export function invertPositiveDefinite(matrix: readonly (readonly number[])[]): number[][] | undefined {
  const n = matrix.length;
  const at = (m: readonly (readonly number[])[], i: number, j: number): number => m[i]?.[j] ?? 0;
  const lower: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = at(matrix, i, j);
      for (let k = 0; k < j; k++) sum -= at(lower, i, k) * at(lower, j, k);
      const row = lower[i] ?? [];
      if (i === j) {
        if (!(sum > 0)) return undefined;
        row[i] = Math.sqrt(sum);
      } else {
        row[j] = sum / at(lower, j, j);
      }
    }
  }
  // Solve L L^T X = I column by column.
  const inverse: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let col = 0; col < n; col++) {
    const y = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let sum = i === col ? 1 : 0;
      for (let k = 0; k < i; k++) sum -= at(lower, i, k) * (y[k] ?? 0);
      y[i] = sum / at(lower, i, i);
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = y[i] ?? 0;
      for (let k = i + 1; k < n; k++) sum -= at(lower, k, i) * at(inverse, k, col);
      const row = inverse[i] ?? [];
      row[col] = sum / at(lower, i, i);
    }
  }
  return inverse;
}

/**
 * Asymptotic standard errors of log-parameters from the observed information (Hessian of the
 * total negative log-likelihood). Because θ = ln(param), SE(θ) is also the approximate
 * relative standard error of the parameter itself (delta method).
 */
export function logParameterStandardErrors(
  totalNegativeLogLikelihood: (theta: readonly number[]) => number,
  at: readonly number[],
): number[] | undefined {
  const covariance = invertPositiveDefinite(numericalHessian(totalNegativeLogLikelihood, at));
  if (!covariance) return undefined;
  return covariance.map((row, i) => Math.sqrt(row[i] ?? Number.NaN));
}
