import { committedAt, OffsetSample } from '../measure/offset-tracker';
import { RecordedMessage } from '../measure/topic-recorder';
import { topics } from '@o2o/contracts';

/** The stages downstream of ingestion, in pipeline order, with the topics they read and write. */
export const downstreamStages = [
  {
    service: 'identity-resolution',
    inputs: [topics.ingestEvents.name],
    output: topics.identityEvents.name,
    main: topics.ingestEvents.name,
  },
  {
    service: 'value-scoring',
    inputs: [topics.identityEvents.name, topics.identityChanges.name],
    output: topics.valueScores.name,
    main: topics.identityEvents.name,
  },
  {
    service: 'needs-profiling',
    inputs: [topics.identityEvents.name, topics.identityChanges.name],
    output: topics.needsProfiles.name,
    main: topics.identityEvents.name,
  },
  {
    service: 'campaign-customization',
    inputs: [
      topics.identityEvents.name,
      topics.identityChanges.name,
      topics.identitySnapshots.name,
      topics.valueScores.name,
      topics.needsProfiles.name,
    ],
    output: topics.segmentMembership.name,
    main: topics.identityEvents.name,
  },
] as const;
export type StageName = (typeof downstreamStages)[number]['service'];

export interface Completion {
  messageId: string;
  receivedAt: number;
  /** When the last running stage had committed its effect of the event (sample time), if it did. */
  completedAt: number | undefined;
}

/**
 * When did each event's effect reach the last stage? An event is complete at the first offset
 * sample where:
 *   identity-resolution committed past its ingest.events message;
 *   value-scoring and needs-profiling committed past its identity.events message;
 *   campaign-customization committed past its identity.events message and past everything value
 *   scoring and needs profiling had produced by the time they committed it (they publish before
 *   committing, so that covers the score and profile the event caused).
 * Stages that are not running are left out; the last running one defines "end to end".
 */
export function completionTimes(
  events: Array<{ messageId: string; receivedAt: number; ingest: RecordedMessage | undefined; identity: RecordedMessage | undefined }>,
  samples: readonly OffsetSample[],
  running: ReadonlySet<StageName>,
): Completion[] {
  const committed = (i: number, service: string, topic: string, partition: number): number =>
    committedAt(samples[i], service, topic, partition);
  const highs = (i: number, topic: string): number[] => samples[i]?.highWatermarks.get(topic) ?? [];
  const coveredAll = (i: number, service: string, topic: string, needed: number[]): boolean =>
    needed.every((offset, partition) => committed(i, service, topic, partition) >= (offset ?? 0));
  const firstIndex = (from: number, test: (i: number) => boolean): number | undefined => {
    for (let i = Math.max(0, from); i < samples.length; i++) if (test(i)) return i;
    return undefined;
  };
  const startIndex = (at: number): number => {
    let lo = 0;
    let hi = samples.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((samples[mid]?.at ?? 0) < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  return events.map((e) => {
    const incomplete: Completion = { messageId: e.messageId, receivedAt: e.receivedAt, completedAt: undefined };
    let index = startIndex(e.receivedAt);
    if (running.has('identity-resolution')) {
      const ingest = e.ingest;
      if (!ingest) return incomplete;
      const i = firstIndex(index, (k) => committed(k, 'identity-resolution', topics.ingestEvents.name, ingest.partition) > ingest.offset);
      if (i === undefined) return incomplete;
      index = i;
    }
    const needsIdentity = running.has('value-scoring') || running.has('needs-profiling') || running.has('campaign-customization');
    if (needsIdentity) {
      const resolved = e.identity;
      if (!resolved) return incomplete;
      const past = (service: string) => (k: number) =>
        committed(k, service, topics.identityEvents.name, resolved.partition) > resolved.offset;
      const produced: Array<{ topic: string; needed: number[] }> = [];
      let latest = index;
      for (const [service, output] of [
        ['value-scoring', topics.valueScores.name],
        ['needs-profiling', topics.needsProfiles.name],
      ] as const) {
        if (!running.has(service)) continue;
        const i = firstIndex(index, past(service));
        if (i === undefined) return incomplete;
        produced.push({ topic: output, needed: highs(i, output) });
        latest = Math.max(latest, i);
      }
      if (running.has('campaign-customization')) {
        const i = firstIndex(
          latest,
          (k) => past('campaign-customization')(k) && produced.every((p) => coveredAll(k, 'campaign-customization', p.topic, p.needed)),
        );
        if (i === undefined) return incomplete;
        latest = i;
      }
      index = latest;
    }
    return { ...incomplete, completedAt: samples[index]?.at };
  });
}
