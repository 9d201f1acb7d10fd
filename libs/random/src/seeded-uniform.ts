/**
 * The platform's one seeded uniform generator for simulations and benchmarks (mulberry32): small,
 * fast and good enough to draw a synthetic world or pick actions, so every run with one seed is
 * the same. Not for anything secret. Returns draws in [0, 1).
 *
 * (libs/testing's SeededRandom, on pure-rand, draws the test populations; it is for tests only,
 * which service code and this lib's users outside tests may not import.)
 */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
