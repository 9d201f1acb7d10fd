// fmin ships no type declarations; this covers the one function the scoring domain uses.
declare module 'fmin' {
  export interface NelderMeadParameters {
    maxIterations?: number;
    /** Stops when the simplex's value spread is below this; fmin 0.0.2 also uses it as the size tolerance. */
    minErrorDelta?: number;
    nonZeroDelta?: number;
    zeroDelta?: number;
  }
  export function nelderMead(f: (x: number[]) => number, x0: number[], parameters?: NelderMeadParameters): { fx: number; x: number[] };
}
