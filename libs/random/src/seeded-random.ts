import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

// Module-level aliases of Math members: inside Jest's vm context every global lookup goes through
// an interceptor and costs ~50x a local one, and value-scoring's fits make millions of them.
const { PI, cos, exp, log, pow, sqrt } = Math;

/**
 * The platform's seeded variates: one seed gives the same synthetic population on every machine,
 * which Math.random cannot promise. pure-rand supplies the generator (xoroshiro128+) and the
 * 53-bit uniforms and integers; the continuous distributions are the textbook constructions below.
 * Used by the test populations (libs/testing), value-scoring's synthetic populations and anything
 * else that draws a seeded world. Not for anything secret.
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

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.generator, min, max);
  }

  /** True with probability p (a Bernoulli draw). */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** Picks with probability proportional to weight. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let target = this.uniform() * total;
    for (const [item, weight] of items) {
      target -= weight;
      if (target < 0) return item;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new RangeError('weighted pick from an empty list');
    return last[0];
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i -= 1) {
      const j = this.int(0, i);
      const a = out[i];
      const b = out[j];
      if (a !== undefined && b !== undefined) {
        out[i] = b;
        out[j] = a;
      }
    }
    return out;
  }

  /** Exponential with the given rate (mean 1 / rate). */
  exponential(rate: number): number {
    return -log(this.uniformPositive()) / rate;
  }

  /** Standard normal by Box-Muller; one of the pair is discarded to keep the generator state simple to reason about. */
  normal(): number {
    return sqrt(-2 * log(this.uniformPositive())) * cos(2 * PI * this.uniform());
  }

  /**
   * Gamma(shape, rate) (mean shape / rate) by Marsaglia & Tsang (2000); for shape < 1 the boost
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

  /** Poisson by inversion; fine for the small means it is used with. */
  poisson(mean: number): number {
    const limit = exp(-mean);
    let k = 0;
    let product = this.uniform();
    while (product > limit) {
      k += 1;
      product *= this.uniform();
    }
    return k;
  }

  /** A version-4-shaped UUID from this generator (for anonymousIds and message ids). */
  uuid(): string {
    const hex = (digits: number): string => Array.from({ length: digits }, () => this.int(0, 15).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  }
}
