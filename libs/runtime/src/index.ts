export * from './start-service';
export * from './privacy.module';
