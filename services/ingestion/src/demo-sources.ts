import { Channel } from '@o2o/contracts';

/** Well-known demo sources, one per channel, created when INGESTION_DEMO_SOURCES=true. */
export const demoSources: ReadonlyArray<{ id: string; name: string; channel: Channel; writeKey: string }> = [
  { id: 'demo-web', name: 'Web shop (demo)', channel: 'web', writeKey: 'demo-web-write-key' },
  { id: 'demo-app', name: 'Mobile app (demo)', channel: 'app', writeKey: 'demo-app-write-key' },
  { id: 'demo-call-centre', name: 'Call centre (demo)', channel: 'call-centre', writeKey: 'demo-call-centre-write-key' },
  { id: 'demo-store', name: 'Stores / POS (demo)', channel: 'store', writeKey: 'demo-store-write-key' },
  { id: 'demo-loyalty', name: 'Loyalty cards (demo)', channel: 'loyalty', writeKey: 'demo-loyalty-write-key' },
  { id: 'demo-email', name: 'E-mail (demo)', channel: 'email', writeKey: 'demo-email-write-key' },
  { id: 'demo-dealer', name: 'Dealers (demo)', channel: 'dealer', writeKey: 'demo-dealer-write-key' },
];
