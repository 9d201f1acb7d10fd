import fc from 'fast-check';
import { daysBetween, instantMs, InvalidInstantError, normaliseInstant } from './instant';

describe('instants', () => {
  it('normalise any offset to UTC text, the same on every call, and parse back to the same moment', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }),
        fc.integer({ min: -12, max: 14 }),
        (ms, offsetHours) => {
          const local = new Date(ms + offsetHours * 3_600_000).toISOString().slice(0, 23);
          const sign = offsetHours < 0 ? '-' : '+';
          const iso = `${local}${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
          const once = normaliseInstant(iso);
          expect(once).toBe(new Date(Date.parse(iso)).toISOString());
          expect(normaliseInstant(iso)).toBe(once);
          expect(normaliseInstant(once)).toBe(once);
          expect(instantMs(once)).toBe(Date.parse(iso));
        },
      ),
    );
    expect(daysBetween(normaliseInstant('2024-01-01T01:00:00+01:00'), '2024-01-02T00:00:00.000Z')).toBe(1);
  });

  it('refuse text that is no instant, every time it comes', () => {
    expect(() => normaliseInstant('yesterday')).toThrow(InvalidInstantError);
    expect(() => normaliseInstant('yesterday')).toThrow('not an ISO-8601 instant: yesterday');
    expect(() => instantMs('yesterday')).toThrow(InvalidInstantError);
  });
});
