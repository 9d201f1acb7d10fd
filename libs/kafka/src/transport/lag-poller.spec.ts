import { partitionLag } from './lag-poller';

describe('consumer lag', () => {
  it('is the end offset less the committed position', () => {
    expect(partitionLag({ low: '0', high: '120' }, 100)).toBe(20);
  });

  it('is everything the partition holds when the group committed nothing', () => {
    expect(partitionLag({ low: '30', high: '120' }, undefined)).toBe(90);
    expect(partitionLag({ low: '30', high: '120' }, -1)).toBe(90);
  });

  it('is never negative', () => {
    expect(partitionLag({ low: '0', high: '5' }, 9)).toBe(0);
  });
});
