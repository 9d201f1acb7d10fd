export * from './redis.module';
export * from './generation-cached-set';
export * from './lease-lock';
