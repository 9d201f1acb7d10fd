import { SegmentMessageV1 } from '@o2o/contracts';
import { checkPurpose, PurposePolicy } from './purpose-policy';

const policy: PurposePolicy = {
  requiredFor: new Set(['identify', 'Question Answered']),
  purposes: new Set(['personalisation', 'profiling']),
};

describe('purpose policy', () => {
  it('requires a purpose where configured and names the field', () => {
    const identify: SegmentMessageV1 = { type: 'identify', userId: 'u', traits: { smoker: false } };
    expect(checkPurpose(identify, policy)).toMatchObject({ field: 'context.purpose', code: 'required' });
    const answer: SegmentMessageV1 = { type: 'track', userId: 'u', event: 'Question Answered', properties: { answer: 'yes' } };
    expect(checkPurpose(answer, policy, 'batch.2')).toMatchObject({ field: 'batch.2.context.purpose', code: 'required' });
  });

  it('accepts a known purpose from context or properties, and calls outside the policy without one', () => {
    expect(checkPurpose({ type: 'identify', userId: 'u', context: { purpose: 'profiling' } }, policy)).toBeUndefined();
    expect(
      checkPurpose({ type: 'track', userId: 'u', event: 'Question Answered', properties: { purpose: 'personalisation' } }, policy),
    ).toBeUndefined();
    expect(checkPurpose({ type: 'track', userId: 'u', event: 'Product Viewed' }, policy)).toBeUndefined();
  });

  it('rejects an unknown purpose wherever it is stated', () => {
    expect(checkPurpose({ type: 'track', userId: 'u', event: 'Product Viewed', properties: { purpose: 'resale' } }, policy)).toMatchObject({
      field: 'properties.purpose',
      code: 'invalid_value',
    });
  });
});
