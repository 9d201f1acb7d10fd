export * from './seeded-uniform';
export * from './seeded-random';
