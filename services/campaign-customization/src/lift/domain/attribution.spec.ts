import { isWithinWindow, recordConversion, recordExposure, tally, type AttributionState } from './attribution';

describe('attribution', () => {
  it('attributes goal events from the exposure to the end of the window, inclusive', () => {
    expect(isWithinWindow('2024-06-01T10:00:00Z', '2024-06-01T10:00:00Z', 7)).toBe(true);
    expect(isWithinWindow('2024-06-01T10:00:00Z', '2024-06-08T10:00:00Z', 7)).toBe(true);
    expect(isWithinWindow('2024-06-01T10:00:00Z', '2024-06-08T10:00:01Z', 7)).toBe(false);
    expect(isWithinWindow('2024-06-01T10:00:00Z', '2024-06-01T09:59:59Z', 7)).toBe(false);
  });

  it('counts a customer once, from the first exposure, and the first conversion only', () => {
    let s = recordExposure(undefined, 'treated', '2024-06-02T00:00:00Z');
    s = recordExposure(s, 'treated', '2024-06-05T00:00:00Z');
    expect(s.firstExposedAt).toBe('2024-06-02T00:00:00Z');
    s = recordExposure(s, 'treated', '2024-06-01T00:00:00Z');
    expect(s.firstExposedAt).toBe('2024-06-01T00:00:00Z');
    expect(recordConversion(s, '2024-06-20T00:00:00Z', 7)).toEqual(s);
    const converted = recordConversion(s, '2024-06-03T00:00:00Z', 7);
    expect(converted?.convertedAt).toBe('2024-06-03T00:00:00Z');
    expect(recordConversion(converted, '2024-06-04T00:00:00Z', 7)).toBe(converted);
    expect(recordConversion(undefined, '2024-06-04T00:00:00Z', 7)).toBeUndefined();
  });

  it('tallies states into the counts computeLift takes', () => {
    const states: AttributionState[] = [
      { group: 'treated', firstExposedAt: 't', convertedAt: 't' },
      { group: 'treated', firstExposedAt: 't' },
      { group: 'control', firstExposedAt: 't' },
      { group: 'treated', firstExposedAt: 't', convertedAt: 't' },
    ];
    expect(tally(states)).toEqual({ treated: { exposed: 3, converted: 2 }, control: { exposed: 1, converted: 0 } });
  });
});
