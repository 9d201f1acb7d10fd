import fc from 'fast-check';
import { counterIncrease, pipelineTotal, stageCost } from './cost-per-event';

describe('cost per event', () => {
  const counters = (commands: number, documentsWritten: number, bytesWritten: number, produced: number) => ({
    commands,
    documentsWritten,
    bytesWritten,
    produced,
  });

  it('divides a stage window by the events it finished', () => {
    const cost = stageCost({ events: 400, cpuSeconds: 1.2, counters: counters(20, 400, 480_000, 800) });
    expect(cost).toMatchObject({
      cpuMsPerEvent: 3,
      commandsPerEvent: 0.05,
      documentsWrittenPerEvent: 1,
      bytesWrittenPerEvent: 1200,
      messagesProducedPerEvent: 2,
    });
  });

  it('takes the idle baseline off the CPU, never below zero', () => {
    expect(stageCost({ events: 200, cpuSeconds: 1, idleCpuSeconds: 0.4, counters: undefined }).cpuMsPerEventNetOfIdle).toBe(3);
    expect(stageCost({ events: 200, cpuSeconds: 1, idleCpuSeconds: 1.5, counters: undefined }).cpuMsPerEventNetOfIdle).toBe(0);
    expect(stageCost({ events: 200, cpuSeconds: 1, counters: undefined }).cpuMsPerEventNetOfIdle).toBeUndefined();
  });

  it('gives no figure rather than a wrong one: no events, unreadable CPU, missing counters', () => {
    expect(stageCost({ events: 0, cpuSeconds: 1, counters: counters(1, 1, 1, 1) }).cpuMsPerEvent).toBeUndefined();
    const partial = stageCost({ events: 10, cpuSeconds: undefined, counters: undefined });
    expect(partial.cpuMsPerEvent).toBeUndefined();
    expect(partial.commandsPerEvent).toBeUndefined();
  });

  it('takes counter increases between scrapes, and refuses a counter that went back (a restart)', () => {
    expect(counterIncrease(counters(10, 20, 3000, 5), counters(15, 60, 9000, 25))).toEqual(counters(5, 40, 6000, 20));
    expect(counterIncrease(counters(10, 20, 3000, 5), counters(2, 60, 9000, 25))).toBeUndefined();
    expect(counterIncrease(undefined, counters(1, 1, 1, 1))).toBeUndefined();
  });

  it('per-event figures times the events give back the window totals (to rounding)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 1000, noNaN: true }),
        (events, commands, cpuSeconds) => {
          const cost = stageCost({ events, cpuSeconds, counters: counters(commands, commands, commands, commands) });
          expect(Math.abs((cost.commandsPerEvent ?? Number.NaN) * events - commands)).toBeLessThanOrEqual(0.0005 * events + 1e-6);
          expect(Math.abs((cost.cpuMsPerEvent ?? Number.NaN) * events - cpuSeconds * 1000)).toBeLessThanOrEqual(0.0005 * events + 1e-6);
        },
      ),
    );
  });

  it('sums the stages into the pipeline cost of one event, only when every stage has the figure', () => {
    const a = stageCost({ events: 100, cpuSeconds: 0.1, counters: counters(5, 0, 0, 100) });
    const b = stageCost({ events: 100, cpuSeconds: 0.25, counters: undefined });
    expect(pipelineTotal([a, b], (s) => s.cpuMsPerEvent)).toBe(3.5);
    expect(pipelineTotal([a, b], (s) => s.commandsPerEvent)).toBeUndefined();
    expect(pipelineTotal([], (s) => s.cpuMsPerEvent)).toBeUndefined();
  });
});
