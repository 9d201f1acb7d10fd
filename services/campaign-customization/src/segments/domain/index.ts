export * from './segment-rule';
export * from './segment-rule.validator';
export * from './segment-rule.evaluator';
export * from './segment-definition';
export * from './membership.diff';
