import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import { resolvePath } from '../../shared-kernel/domain/profile-path';
import { evaluate, readContext, type EvaluationOptions } from '../../segments/domain/segment-rule.evaluator';
import { offerModuleNames, type CampaignDefinition, type OfferModuleName, type OptionAttribute } from './campaign-definition';

export interface ChosenOption {
  module: OfferModuleName;
  optionId: string;
  label?: string;
  attributes: Record<string, OptionAttribute>;
  /** Why this option, for the clerk's screen and for audit. */
  reason: string;
}

export interface AssembledOffer {
  campaignId: string;
  campaignVersion: number;
  modules: ChosenOption[];
}

export type OfferAssembly = { ok: true; offer: AssembledOffer } | { ok: false; module: OfferModuleName; reason: string };

/**
 * Mass customization: one option per declared module, chosen from what the profile says the
 * customer needs and is worth. Among the options whose rule fits, the highest weight plus
 * affinity wins; on a tie the one declared first, so authors control defaults by order. A
 * module with no fitting option makes the offer impossible rather than sending something
 * that does not fit.
 */
export function assembleOffer(
  campaign: CampaignDefinition,
  profile: CustomerProfile,
  now: Date,
  options: Omit<EvaluationOptions, 'purpose'> = {},
): OfferAssembly {
  const evaluation: EvaluationOptions = { ...options, purpose: campaign.purpose };
  const chosen: ChosenOption[] = [];
  for (const name of offerModuleNames) {
    const module = campaign.modules[name];
    if (module === undefined) continue;
    let best: { option: (typeof module.options)[number]; score: number; reason: string } | undefined;
    const misses: string[] = [];
    for (const option of module.options) {
      let reason = 'default option';
      if (option.when !== undefined) {
        const result = evaluate(option.when, profile, now, evaluation);
        if (!result.matched) {
          misses.push(`${option.id}: ${result.reason}`);
          continue;
        }
        reason = result.reason;
      }
      let score = option.weight;
      if (option.affinity !== undefined) {
        const affinity = readNumber(option.affinity, profile, now, evaluation);
        if (affinity !== undefined) {
          score += affinity;
          reason += `; ${option.affinity} = ${affinity}`;
        }
      }
      if (best === undefined || score > best.score) best = { option, score, reason };
    }
    if (best === undefined) return { ok: false, module: name, reason: `no ${name} option fits (${misses.join('; ')})` };
    const pick: ChosenOption = { module: name, optionId: best.option.id, attributes: { ...best.option.attributes }, reason: best.reason };
    if (best.option.label !== undefined) pick.label = best.option.label;
    chosen.push(pick);
  }
  return { ok: true, offer: { campaignId: campaign.id, campaignVersion: campaign.version, modules: chosen } };
}

function readNumber(path: string, profile: CustomerProfile, now: Date, options: EvaluationOptions): number | undefined {
  const resolved = resolvePath(path);
  if (!resolved.ok) return undefined;
  const value = resolved.path.read(profile, readContext(profile, now, options));
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
