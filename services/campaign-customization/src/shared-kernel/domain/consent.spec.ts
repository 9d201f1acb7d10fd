import { applyConsentDecision, mergeConsent, resolveConsent, type ConsentRecord } from './consent';

const rec = (purpose: string, channel: string, status: 'granted' | 'withdrawn', at: string): ConsentRecord => ({
  purpose,
  channel,
  status,
  at,
});

describe('consent', () => {
  it('is unknown without a record', () => {
    expect(resolveConsent([], 'email-marketing', 'email')).toEqual({ status: 'unknown' });
  });

  it('lets the later of a channel record and a purpose-wide record decide', () => {
    const records = [
      rec('email-marketing', 'email', 'granted', '2024-01-01T00:00:00Z'),
      rec('email-marketing', '*', 'withdrawn', '2024-02-01T00:00:00Z'),
    ];
    expect(resolveConsent(records, 'email-marketing', 'email').status).toBe('withdrawn');
    const regranted = applyConsentDecision(records, rec('email-marketing', 'email', 'granted', '2024-03-01T00:00:00Z'));
    expect(resolveConsent(regranted, 'email-marketing', 'email').status).toBe('granted');
    // The purpose as a whole is still withdrawn: only e-mail was granted again.
    expect(resolveConsent(regranted, 'email-marketing').status).toBe('withdrawn');
    expect(resolveConsent(regranted, 'email-marketing', 'sms').status).toBe('withdrawn');
  });

  it('ignores other channels and purposes', () => {
    const records = [rec('personalisation', 'sms', 'withdrawn', '2024-01-01T00:00:00Z')];
    expect(resolveConsent(records, 'personalisation', 'email').status).toBe('unknown');
    expect(resolveConsent(records, 'personalisation').status).toBe('unknown');
    expect(resolveConsent(records, 'profiling', 'sms').status).toBe('unknown');
  });

  it('lets withdrawal win a tie, and ignores an older replayed decision', () => {
    const t = '2024-01-01T00:00:00Z';
    const both = applyConsentDecision([rec('p', 'email', 'granted', t)], rec('p', 'email', 'withdrawn', t));
    expect(resolveConsent(both, 'p', 'email').status).toBe('withdrawn');
    const replay = applyConsentDecision(both, rec('p', 'email', 'granted', '2023-12-31T00:00:00Z'));
    expect(replay).toEqual(both);
    expect(applyConsentDecision(both, rec('p', 'email', 'granted', t))).toEqual(both);
  });

  it('keeps the later decision per purpose and channel when customers merge', () => {
    const a = [rec('p', 'email', 'granted', '2024-01-01T00:00:00Z'), rec('q', '*', 'granted', '2024-01-01T00:00:00Z')];
    const b = [rec('p', 'email', 'withdrawn', '2024-02-01T00:00:00Z'), rec('q', '*', 'withdrawn', '2023-01-01T00:00:00Z')];
    const merged = mergeConsent(a, b);
    expect(resolveConsent(merged, 'p', 'email').status).toBe('withdrawn');
    expect(resolveConsent(merged, 'q').status).toBe('granted');
    expect(mergeConsent(b, a)).toEqual(expect.arrayContaining(merged));
  });
});
