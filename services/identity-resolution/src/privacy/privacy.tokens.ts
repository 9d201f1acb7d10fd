import { LateEventPolicy } from '@o2o/contracts';

export const PRIVACY_SETTINGS = Symbol('PRIVACY_SETTINGS');

export interface PrivacySettings {
  /** Services that must answer every request (all five). */
  services: string[];
  /** Key of the pseudonyms in the privacy records. */
  pseudonymKey: string;
  lateEventPolicy: LateEventPolicy;
  exportTimeoutMs: number;
  /** How often the outbox relay publishes recorded requests Kafka has not acknowledged (0: never). */
  outboxRelayMs: number;
}
