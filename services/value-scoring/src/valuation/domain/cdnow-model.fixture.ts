import type { ActiveModel } from './customer-valuation';

/** A fitted BG/NBD + Gamma-Gamma model with the CDNOW estimates (Fader, Hardie & Lee 2005), in weeks: for specs. */
export const cdnowModel: ActiveModel = {
  kind: 'fitted',
  version: 'v-test',
  fittedAt: new Date('2024-06-01T00:00:00Z'),
  timeUnitDays: 7,
  purchases: { model: 'bg-nbd', params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 } },
  spend: { p: 6.25, q: 3.74, v: 15.44 },
};
