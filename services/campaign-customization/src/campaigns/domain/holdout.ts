import { createHash } from 'node:crypto';

const TWO_POW_48 = 2 ** 48;

/**
 * A customer's fixed position in [0, 1) for one salt. SHA-256 rather than a faster hash because
 * its output is uniform for any input (sequential ids, shared prefixes), which the balance of
 * control groups depends on; 48 bits are plenty of resolution for a share. The NUL separator
 * keeps ("a:b", "c") and ("a", "b:c") apart.
 */
export function holdoutPosition(customerId: string, salt: string): number {
  const digest = createHash('sha256').update(salt).update('\u0000').update(customerId).digest();
  return digest.readUIntBE(0, 6) / TWO_POW_48;
}

/**
 * Sticky: a customer stays in or out for the campaign's life, on every instance, without storing
 * anything. Salted by campaign id, not version, so editing a campaign does not reshuffle its
 * groups; and raising the share only adds customers to the control group, never swaps them.
 */
export function isInCampaignHoldout(customerId: string, campaignId: string, share: number): boolean {
  return share > 0 && holdoutPosition(customerId, `campaign:${campaignId}`) < share;
}

/** The global control group, independent of every campaign's (different salt), receives no campaign at all. */
export function isInGlobalHoldout(customerId: string, share: number, salt = 'global'): boolean {
  return share > 0 && holdoutPosition(customerId, `global:${salt}`) < share;
}
