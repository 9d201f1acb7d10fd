import { randomUUID } from 'node:crypto';
import { Envelope } from '@o2o/contracts';

export interface NewEnvelope<T extends string, D> {
  type: T;
  version: number;
  source: string;
  subject: string;
  data: D;
  /** Event time; defaults to now. */
  time?: string;
  /** Deterministic id for events derived from an input (keeps redeliveries idempotent downstream). */
  id?: string;
  correlationid?: string | undefined;
  causationid?: string | undefined;
}

export function createEnvelope<T extends string, D>(input: NewEnvelope<T, D>): Envelope<T, D> {
  return {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: input.source,
    type: input.type,
    version: input.version,
    time: input.time ?? new Date().toISOString(),
    subject: input.subject,
    datacontenttype: 'application/json',
    correlationid: input.correlationid,
    causationid: input.causationid,
    data: input.data,
  };
}
