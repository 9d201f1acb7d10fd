export * from './seeded-uniform';
