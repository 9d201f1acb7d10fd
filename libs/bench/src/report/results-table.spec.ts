import { costTable } from './results-table';
import { pipelineTotal, stageCost } from '../analysis/cost-per-event';

describe('costTable', () => {
  it('prints one row per stage and the sum, with n/a where a figure is missing', () => {
    const ingestion = stageCost({
      events: 500,
      cpuSeconds: 0.05,
      idleCpuSeconds: 0.01,
      counters: { commands: 0, documentsWritten: 0, bytesWritten: 0, produced: 500 },
    });
    const identity = stageCost({ events: 500, cpuSeconds: 1, idleCpuSeconds: 0.25, counters: undefined });
    const lines = costTable({
      seconds: 12.5,
      drained: true,
      events: 500,
      stages: { ingestion, 'identity-resolution': identity },
      idleCores: { ingestion: 0.01, 'identity-resolution': 0.02 },
      pipeline: {
        cpuMsPerEvent: pipelineTotal([ingestion, identity], (s) => s.cpuMsPerEvent),
        cpuMsPerEventNetOfIdle: pipelineTotal([ingestion, identity], (s) => s.cpuMsPerEventNetOfIdle),
        commandsPerEvent: undefined,
        documentsWrittenPerEvent: undefined,
        bytesWrittenPerEvent: undefined,
        messagesProducedPerEvent: undefined,
      },
    });
    expect(lines[0]).toMatch(/drained \(12.5 s;.*500 events accepted\)/);
    const row = (name: string) =>
      (lines.find((l) => l.trim().startsWith(name)) ?? '')
        .trim()
        .split(/\s{2,}|\s(?=\S)/)
        .filter((x) => x !== '');
    expect(row('ingestion')).toEqual(['ingestion', '500', '0.100', '0.080', '0.000', '0.000', '0', '1.000']);
    expect(row('identity-resolution')).toEqual(['identity-resolution', '500', '2.000', '1.500', 'n/a', 'n/a', 'n/a', 'n/a']);
    expect(lines.find((l) => l.includes('all stages'))).toContain('2.100');
    expect(lines.find((l) => l.includes('idle cores'))).toContain('identity-resolution 0.02');
  });

  it('says when the window ended at the drain timeout', () => {
    expect(
      costTable({
        seconds: 30,
        drained: false,
        events: 0,
        stages: {},
        idleCores: undefined,
        pipeline: {
          cpuMsPerEvent: undefined,
          cpuMsPerEventNetOfIdle: undefined,
          commandsPerEvent: undefined,
          documentsWrittenPerEvent: undefined,
          bytesWrittenPerEvent: undefined,
          messagesProducedPerEvent: undefined,
        },
      })[0],
    ).toContain('not drained');
  });
});
