export * from './purchase-summary';
