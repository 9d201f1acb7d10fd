export * from './redis.module';
export * from './generation-cached-set';
