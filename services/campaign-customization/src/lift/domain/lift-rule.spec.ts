import { parseCampaign, type CampaignDefinition } from '../../campaigns/domain/campaign-definition';
import { liftRuleVerdict } from './lift-rule';
import { computeLift } from './lift.statistics';

function campaign(liftRule: unknown, holdoutShare = 0.2): CampaignDefinition {
  const parsed = parseCampaign({
    id: 'spring',
    version: 3,
    name: 'Spring',
    status: 'active',
    segmentId: 'gold',
    purpose: 'marketing',
    channels: ['email'],
    goal: { event: 'Order Completed' },
    attributionWindowDays: 14,
    startAt: '2024-01-01T00:00:00Z',
    holdoutShare,
    liftRule,
    modules: { message: { options: [{ id: 'hello' }] } },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.campaign;
}

const winning = computeLift({ treated: { exposed: 1000, converted: 200 }, control: { exposed: 300, converted: 20 } });
const losing = computeLift({ treated: { exposed: 1000, converted: 20 }, control: { exposed: 300, converted: 30 } });
const unclear = computeLift({ treated: { exposed: 1000, converted: 100 }, control: { exposed: 300, converted: 28 } });

describe('lift rules', () => {
  it('pauses a campaign whose lift is surely negative, and only then', () => {
    const c = campaign({ when: 'negative', action: 'stop', minExposed: 100 });
    expect(liftRuleVerdict(c, losing)).toMatchObject({ action: 'stop', next: { status: 'paused', version: 4 } });
    expect(liftRuleVerdict(c, unclear)).toBeUndefined();
    expect(liftRuleVerdict(c, winning)).toBeUndefined();
  });

  it('shifts a proven campaign to a smaller holdout once', () => {
    const c = campaign({ when: 'positive', action: 'shift', minExposed: 100, holdoutShare: 0.05 });
    const verdict = liftRuleVerdict(c, winning);
    expect(verdict).toMatchObject({ action: 'shift', next: { holdoutShare: 0.05, version: 4, status: 'active' } });
    if (verdict === undefined) throw new Error('no verdict');
    expect(liftRuleVerdict(verdict.next, winning)).toBeUndefined();
  });

  it('waits for enough customers in each group, and ignores campaigns without a rule or not active', () => {
    expect(liftRuleVerdict(campaign({ when: 'positive', action: 'stop', minExposed: 500 }), winning)).toBeUndefined();
    expect(liftRuleVerdict(campaign(undefined), winning)).toBeUndefined();
    expect(
      liftRuleVerdict({ ...campaign({ when: 'positive', action: 'stop', minExposed: 10 }), status: 'paused' }, winning),
    ).toBeUndefined();
  });

  it('refuses a shift without the holdout to keep', () => {
    expect(parseCampaign({ ...campaign(undefined), liftRule: { when: 'positive', action: 'shift' } })).toMatchObject({ ok: false });
  });
});
