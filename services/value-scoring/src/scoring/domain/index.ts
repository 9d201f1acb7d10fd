// The statistical core of value scoring: pure functions, no framework, no I/O.
export * from './bg-nbd.model';
export * from './customer-summary';
export * from './customer-value';
export * from './gamma-gamma.model';
export { hyp2f1, HypergeometricConvergenceError } from './hypergeometric-2f1';
export { OptimisationError } from './nelder-mead.optimizer';
export type { MinimizeOptions } from './nelder-mead.optimizer';
export * from './pareto-nbd.model';
export * from './purchase-model';
export * from './scoring.errors';
export * from './synthetic-population';
export * from './value-tiers';
