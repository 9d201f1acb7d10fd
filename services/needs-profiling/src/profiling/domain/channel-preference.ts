import { z } from 'zod';
import { round } from './canonical-json';
import { decayed, saturating } from './decay';
import { instantMs } from './instant';
import type { ChannelSignal, Fact } from './needs-profile';

export const channelPreferenceConfigSchema = z.object({
  halfLifeDays: z.number().positive().default(60),
  /** Fewer interactions than this say nothing about a preference. */
  minEvents: z.number().int().min(1).default(3),
  /** The leading channel must carry at least this share of (decayed) usage. */
  minShare: z.number().min(0).max(1).default(0.5),
  confidenceHalfWeight: z.number().positive().default(3),
  /** Technical channels that say nothing about where the customer likes to be. */
  ignoreChannels: z.array(z.string()).default(['kafka', 'other']),
  key: z.string().min(1).default('channel.preferred'),
  purpose: z.string().min(1).default('personalisation'),
});
export type ChannelPreferenceConfig = z.output<typeof channelPreferenceConfigSchema>;

/**
 * The channel the customer actually uses most (recent use counting more). Kept under its own key,
 * apart from the stated contact preference: using the web shop is not asking to be e-mailed.
 */
export function deriveChannelPreference(signals: readonly ChannelSignal[], asOf: string, config: ChannelPreferenceConfig): Fact[] {
  const usable = signals.filter((s) => !config.ignoreChannels.includes(s.channel));
  if (usable.length < config.minEvents) return [];
  const byChannel = new Map<string, { weight: number; latest: ChannelSignal }>();
  const asOfMs = instantMs(asOf);
  for (const signal of usable) {
    const weight = decayed(signal.weight ?? 1, instantMs(signal.at), asOfMs, config.halfLifeDays);
    const entry = byChannel.get(signal.channel);
    if (!entry) byChannel.set(signal.channel, { weight, latest: signal });
    else {
      entry.weight += weight;
      if (signal.at > entry.latest.at || (signal.at === entry.latest.at && signal.id > entry.latest.id)) entry.latest = signal;
    }
  }
  // Offers declined or ignored on a channel count against it: each channel weighs its net decayed
  // signal, and one at or below zero carries no share.
  let total = 0;
  for (const { weight } of byChannel.values()) if (weight > 0) total += weight;
  const [leader] = [...byChannel.entries()].sort(([ca, a], [cb, b]) => b.weight - a.weight || (ca < cb ? -1 : 1));
  if (!leader || total <= 0 || leader[1].weight <= 0) return [];
  const [channel, { weight, latest }] = leader;
  const share = weight / total;
  if (share < config.minShare) return [];
  return [
    {
      key: config.key,
      value: channel,
      kind: 'inferred',
      channel: latest.channel,
      purpose: config.purpose,
      confidence: round(share * saturating(total, config.confidenceHalfWeight)),
      observedAt: latest.at,
      sourceEventId: latest.id,
      origin: 'inference:channel-preference',
    },
  ];
}
