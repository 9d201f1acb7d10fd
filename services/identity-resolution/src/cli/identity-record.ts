import { z } from 'zod';
import { ResolverEvent } from '../resolution/domain/batch-resolver';

/**
 * One line of resolve-file's input: a record as a channel would describe the person, with
 * Segment identify traits and, optionally, typed identifiers (userId, email, nationalId, ...).
 */
export const identityRecordSchema = z.object({
  recordId: z.string().min(1).max(512),
  /** The channel or system the record came from ("crm", "web"); kept as the event's context.channel. */
  source: z.string().min(1).max(128).optional(),
  traits: z.record(z.string(), z.unknown()).default({}),
  identifiers: z.record(z.string(), z.string()).optional(),
});

export type IdentityRecord = z.output<typeof identityRecordSchema>;

/**
 * The identify call a channel would send for the record: a new anonymous visitor per record (so
 * only the record's own evidence links it), userId and anonymousId as Segment carries them, every
 * other identifier type as the trait of that name (where the default rules read them).
 */
export function identifyEventOf(record: IdentityRecord, runTag = 'file', time = '2025-01-01T00:00:00.000Z'): ResolverEvent {
  const { userId, anonymousId, ...other } = record.identifiers ?? {};
  return {
    id: `${runTag}:${record.recordId}`,
    time,
    data: {
      type: 'identify',
      anonymousId: anonymousId ?? `${runTag}-${record.recordId}`,
      ...(userId !== undefined ? { userId } : {}),
      traits: { ...record.traits, ...other },
      ...(record.source !== undefined ? { context: { channel: record.source } } : {}),
    },
  };
}
