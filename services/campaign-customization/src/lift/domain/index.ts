export * from './normal-distribution';
export * from './lift.statistics';
export * from './attribution';
