export * from './mongo.module';
export * from './mongo-errors';
export * from './bulk-writes';
export * from './idempotent-writes';
export * from './merge-chains';
export * from './coalescing-gate';
export * from './batch-reads';
export * from './write-statements';
