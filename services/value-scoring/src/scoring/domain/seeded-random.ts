import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

// Module-level aliases of Math/Number members: inside Jest's vm context every global lookup goes
// through an interceptor and costs ~50x a local one, and the fits make millions of them.
const { PI, cos, log, pow, sqrt } = Math;

/**
 * Seeded variates for synthetic populations: the same seed gives the same population on every
 * machine, which Math.random cannot promise. pure-rand supplies the generator and the
 * 53-bit uniforms; the continuous distributions are the textbook constructions below.
 */
export class SeededRandom {
  private readonly generator: RandomGenerator;

  constructor(seed: number) {
    this.generator = xoroshiro128plus(seed);
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform on (0, 1]: safe under a logarithm or a negative power. */
  uniformPositive(): number {
    return 1 - this.uniform();
  }

  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  exponential(rate: number): number {
    return -log(this.uniformPositive()) / rate;
  }

  /** Box-Muller; one of the pair is discarded to keep the generator state simple to reason about. */
  normal(): number {
    return sqrt(-2 * log(this.uniformPositive())) * cos(2 * PI * this.uniform());
  }

  /**
   * Gamma(shape, rate) by Marsaglia & Tsang (2000); for shape < 1 the boost
   * Gamma(k) = Gamma(k+1) · U^(1/k) keeps the squeeze valid.
   */
  gamma(shape: number, rate: number): number {
    if (!(shape > 0 && rate > 0)) throw new RangeError(`gamma(${shape}, ${rate}): shape and rate must be positive`);
    if (shape < 1) return this.gamma(shape + 1, rate) * pow(this.uniformPositive(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / sqrt(9 * d);
    for (;;) {
      const n = this.normal();
      const root = 1 + c * n;
      if (root <= 0) continue;
      const v = root * root * root;
      const u = this.uniformPositive();
      if (log(u) < 0.5 * n * n + d - d * v + d * log(v)) return (d * v) / rate;
    }
  }

  /** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a, 1);
    const y = this.gamma(b, 1);
    return x / (x + y);
  }
}
