export * from './mongo.module';
export * from './mongo-errors';
