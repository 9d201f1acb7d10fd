import { loadIdentityResolutionConfig } from '../../config/identity-resolution.config';
import { beyondKept } from './identifier-retention';

describe('identifier retention', () => {
  const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

  it('retires all but the identifiers first seen most recently', () => {
    const ids = [5, 1, 4, 2, 3].map((s) => ({ _id: `anonymousId:d${s}`, firstSeenAt: at(s) }));
    expect(beyondKept(ids, 3).map((d) => d._id)).toEqual(['anonymousId:d2', 'anonymousId:d1']);
    expect(beyondKept(ids, 5)).toEqual([]);
  });

  it('breaks ties of first-seen time by id, so every instance retires the same ones', () => {
    const ids = ['b', 'a', 'c'].map((v) => ({ _id: `anonymousId:${v}`, firstSeenAt: at(1) }));
    expect(beyondKept(ids, 1).map((d) => d._id)).toEqual(['anonymousId:b', 'anonymousId:a']);
    expect(beyondKept([...ids].reverse(), 1).map((d) => d._id)).toEqual(['anonymousId:b', 'anonymousId:a']);
  });

  it('reads IDENTIFIERS_KEPT as type=count pairs, anonymousId=100 by default, and names a bad pair', () => {
    expect(loadIdentityResolutionConfig({}).IDENTIFIERS_KEPT).toEqual(new Map([['anonymousId', 100]]));
    expect(loadIdentityResolutionConfig({ IDENTIFIERS_KEPT: 'anonymousId=20, deviceId=5' }).IDENTIFIERS_KEPT).toEqual(
      new Map([
        ['anonymousId', 20],
        ['deviceId', 5],
      ]),
    );
    expect(() => loadIdentityResolutionConfig({ IDENTIFIERS_KEPT: 'anonymousId=0' })).toThrow(/IDENTIFIERS_KEPT.*type=count/s);
  });
});
