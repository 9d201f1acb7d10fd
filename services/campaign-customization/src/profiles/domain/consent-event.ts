import { z } from 'zod';
import type { ResolvedEventDataV1 } from '@o2o/contracts';
import { ALL_CHANNELS, slugSchema, type ConsentRecord } from '../../shared-kernel/domain/consent';

const consentProperties = z.object({
  purpose: slugSchema,
  /** Absent or "*": the purpose on every channel. */
  channel: z.union([slugSchema, z.literal(ALL_CHANNELS)]).optional(),
  granted: z.boolean({ error: 'granted must be true or false' }),
  wordingVersion: z.union([z.string().max(100), z.number()]).optional(),
  mechanism: z.string().max(100).optional(),
});

export type ConsentParse = { ok: true; record: ConsentRecord } | { ok: false; message: string };

/**
 * A consent decision from a resolved track event ("Consent Updated" with { purpose, channel,
 * granted, wordingVersion }). The event time is the decision time, so a replayed older decision
 * never overrides a newer one.
 */
export function consentFromEvent(data: ResolvedEventDataV1): ConsentParse {
  const parsed = consentProperties.safeParse(data.properties ?? {});
  if (!parsed.success) {
    return { ok: false, message: parsed.error.issues.map((i) => `properties.${i.path.map(String).join('.')}: ${i.message}`).join('; ') };
  }
  const p = parsed.data;
  const record: ConsentRecord = {
    purpose: p.purpose,
    channel: p.channel ?? ALL_CHANNELS,
    status: p.granted ? 'granted' : 'withdrawn',
    at: data.timestamp,
    source: data.sourceId,
    mechanism: p.mechanism ?? `${data.channel} event`,
  };
  if (p.wordingVersion !== undefined) record.wordingVersion = String(p.wordingVersion);
  return { ok: true, record };
}
