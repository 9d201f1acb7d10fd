import type { DemoChannel } from './demo-population';

/**
 * The write key of each demo source, for whatever drives the demo channels (the demo traffic, the
 * benchmarks, tests). Ingestion creates these sources with INGESTION_DEMO_SOURCES=true from its own
 * table (services/ingestion/src/demo-sources.ts), which a lib may not import.
 */
export const demoWriteKeys: Readonly<Record<DemoChannel, string>> = {
  web: 'demo-web-write-key',
  app: 'demo-app-write-key',
  'call-centre': 'demo-call-centre-write-key',
  store: 'demo-store-write-key',
  loyalty: 'demo-loyalty-write-key',
  email: 'demo-email-write-key',
  dealer: 'demo-dealer-write-key',
};
