export * from './start-service';
export * from './privacy.module';
export * from './erased-set';
export * from './periodic-job';
export * from './client-rate-limiter';
export * from './dead-letters.module';
export * from './http-data-keys';
export * from './openapi';
