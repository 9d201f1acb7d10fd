export * from './kafka-settings';
export * from './client';
export * from './topic-names';
export * from './topic-admin';
export * from './envelope-factory';
export * from './publisher';
export * from './batch-transport';
export * from './kafka.module';
