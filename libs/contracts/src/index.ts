export * from './envelope/envelope';
export * from './ingestion/segment-message.v1';
export * from './ingestion/event-received.v1';
export * from './identity/identity.v1';
export * from './value/value-scored.v1';
export * from './needs/needs-profiled.v1';
export * from './segments/membership-changed.v1';
export * from './topics';
