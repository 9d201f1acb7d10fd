import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { topics, type TopicDefinition } from '@o2o/contracts';
import { CPU_PER_REPLICA, measuredCost, pipelineServices, sizeFor } from './sizing';

const chartDir = join(__dirname, '../../../../deploy/kubernetes');

interface Autoscaling {
  kind: string;
  minReplicas: number;
  maxReplicas: number;
  consumerGroup?: string;
  lagThreshold?: number;
  topics?: string[];
}
interface ServiceValues {
  resources: { requests: { cpu: string; memory: string } };
  autoscaling: Autoscaling;
}
interface Values {
  kafka: { topicPartitions: number };
  services: Record<string, ServiceValues>;
}

function read(file: string): unknown {
  return parse(readFileSync(join(chartDir, file), 'utf8'));
}

/** Helm's merge of an overlay onto the chart's values: maps merge key by key, anything else replaces. */
function merge(base: unknown, overlay: unknown): unknown {
  if (base && overlay && typeof base === 'object' && typeof overlay === 'object' && !Array.isArray(base) && !Array.isArray(overlay)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(overlay as Record<string, unknown>)) out[k] = merge(out[k], v);
    return out;
  }
  return overlay === undefined ? base : overlay;
}

const defaults = read('o2o/values.yaml') as Values;
const sizes: Array<[string, number, Values]> = [
  ['o2o/values.yaml', 1000, defaults],
  ['sizes/10k.yaml', 10000, merge(defaults, read('sizes/10k.yaml')) as Values],
  ['sizes/100k.yaml', 100000, merge(defaults, read('sizes/100k.yaml')) as Values],
];

function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

describe('the chart values', () => {
  it.each(sizes)('%s sizes every pipeline service by the rule of docs/operations.md (%d events/s)', (_file, rate, values) => {
    const size = sizeFor(rate);
    expect(values.kafka.topicPartitions).toBe(size.partitions);
    for (const s of size.services) {
      const v = values.services[s.service];
      expect({ service: s.service, min: v?.autoscaling.minReplicas, max: v?.autoscaling.maxReplicas }).toEqual({
        service: s.service,
        min: s.minReplicas,
        max: s.maxReplicas,
      });
      if (v?.autoscaling.kind === 'keda')
        expect({ service: s.service, lagThreshold: v.autoscaling.lagThreshold }).toEqual({
          service: s.service,
          lagThreshold: s.lagThreshold,
        });
    }
    for (const [service, v] of Object.entries(values.services)) {
      if (v.autoscaling.kind === 'keda')
        expect({ service, max: v.autoscaling.maxReplicas, fits: v.autoscaling.maxReplicas <= values.kafka.topicPartitions }).toEqual({
          service,
          max: v.autoscaling.maxReplicas,
          fits: true,
        });
    }
  });

  it('requests the CPU a replica is designed for and more memory than the largest resident size measured', () => {
    for (const service of pipelineServices) {
      const requests = defaults.services[service]?.resources.requests;
      expect({ service, cpu: requests?.cpu }).toEqual({ service, cpu: `${CPU_PER_REPLICA * 1000}m` });
      expect({ service, enough: mebibytes(requests?.memory ?? '0Mi') * 1.048576 > measuredCost[service].peakRssMb }).toEqual({
        service,
        enough: true,
      });
    }
  });

  it('scales every consumer but ingestion on the lag of its own group on each topic it consumes (libs/contracts)', () => {
    const all = Object.values(topics) as TopicDefinition[];
    for (const [service, v] of Object.entries(defaults.services)) {
      const consumed = all
        .filter((t) => (t.consumers ?? []).includes(service as never) && !t.name.startsWith('privacy.'))
        .map((t) => t.name)
        .sort();
      if (service === 'ingestion') {
        // HTTP is its load (an HPA on CPU); its one topic is the channels' Kafka intake.
        expect({ kind: v.autoscaling.kind, consumed }).toEqual({ kind: 'hpa', consumed: [topics.ingestIntake.name] });
        continue;
      }
      expect({
        service,
        kind: v.autoscaling.kind,
        group: v.autoscaling.consumerGroup,
        topics: [...(v.autoscaling.topics ?? [])].sort(),
      }).toEqual({ service, kind: 'keda', group: service, topics: consumed });
    }
  });
});
