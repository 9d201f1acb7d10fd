export * from './logger';
export * from './telemetry';
export * from './metrics';
export * from './health';
export * from './observability.module';
export * from './service-app';
export * from './management-listener';
