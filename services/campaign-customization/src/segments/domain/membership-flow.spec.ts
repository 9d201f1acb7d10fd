import { flowBucketOf, flowBucketStart, flowBucketsUntil } from './membership-flow';

describe('membership flow buckets', () => {
  it('files a change under the UTC hour of its time', () => {
    expect(flowBucketOf('2026-12-06T16:59:59.999Z')).toBe('2026-12-06T16');
    expect(flowBucketOf('2026-12-06T17:00:00.000Z')).toBe('2026-12-06T17');
    expect(flowBucketOf(new Date('2026-12-06T18:30:00+02:00'))).toBe('2026-12-06T16');
  });

  it('lists the last hours up to the current one, oldest first, across a day boundary', () => {
    expect(flowBucketsUntil(new Date('2026-12-07T01:10:00Z'), 3)).toEqual(['2026-12-06T23', '2026-12-07T00', '2026-12-07T01']);
    expect(flowBucketStart('2026-12-07T01')).toBe('2026-12-07T01:00:00.000Z');
    expect(new Date(flowBucketStart('2026-12-07T01')).toISOString()).toBe('2026-12-07T01:00:00.000Z');
  });
});
