export * from './expect-eventually';
export * from './test-env';
export * from './topic-spy';
export * from './consumer-progress';
export * from './infrastructure/servers';
export * from './infrastructure/private-server';
export * from './infrastructure/service-process';
export * from './population';
