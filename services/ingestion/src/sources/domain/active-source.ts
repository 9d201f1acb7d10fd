import type { Channel } from '@o2o/contracts';

/** What authentication needs to know about the source behind a write key. */
export interface ActiveSource {
  id: string;
  name: string;
  channel: Channel;
  enabled: boolean;
  requireSignature: boolean;
  signingSecret?: string | undefined;
}
