export * from './customer-state';
export * from './consent-event';
