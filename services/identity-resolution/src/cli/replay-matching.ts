/**
 * The matching benchmark's protocol replayed in memory, without servers: the same synthetic
 * populations, the same BatchResolver the service runs, one event per batch against everything
 * resolved before, name frequencies counted as records are stored (as the service's Redis
 * counters are), and parameters re-estimated from a training population (seed + 1000) fed first.
 * It isolates what the online, record-at-a-time resolution does from what the database and Kafka
 * do, in seconds rather than minutes, so changes to the model can be checked on many seeds.
 *
 *   node services/identity-resolution/dist/cli/replay-matching.js [--mode records|events] [--people 500] [--seeds 7,8] [--train-people 500]
 */
// A benchmark, not service code: see bench-matching.ts.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { generatePopulation, pairwiseMetrics, TraitRecord } from '@o2o/testing';
import { estimateParameters } from '../resolution/application/estimate-parameters/estimate-parameters';
import { ResolverEvent } from '../resolution/domain/batch-resolver';
import { argument, numberArgument } from './cli-arguments';
import { InMemoryResolution } from './in-memory-resolution';

function eventOf(record: TraitRecord, tag: string): ResolverEvent {
  const id = `${tag}-${record.recordId}`;
  const { recordId: _recordId, channel, ...traits } = record;
  return { id: `bench:${id}`, time: '2025-01-01T00:00:00.000Z', data: { type: 'identify', anonymousId: id, traits, context: { channel } } };
}

export interface ReplayResult {
  readonly seed: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly predictedCustomers: number;
  readonly trueCustomers: number;
  readonly falsePairs: number;
  readonly reviews: number;
}

/** Pairwise figures of the customers resolved (followed through later merges) against the truth. */
function resultOf(
  resolution: InMemoryResolution,
  seed: number,
  customerOf: ReadonlyMap<string, string>,
  truth: ReadonlyMap<string, string>,
): ReplayResult {
  const predicted = new Map([...customerOf.entries()].map(([id, customer]) => [id, resolution.current(customer)]));
  const metrics = pairwiseMetrics(predicted, truth);
  return {
    seed,
    precision: metrics.precision,
    recall: metrics.recall,
    f1: metrics.f1,
    predictedCustomers: new Set(predicted.values()).size,
    trueCustomers: new Set(truth.values()).size,
    falsePairs: metrics.predictedPairs - metrics.truePositivePairs,
    reviews: resolution.reviews,
  };
}

/** Every channel's Segment events (bench-matching --mode events), resolved one per batch, no training. */
export function replayEvents(seed: number, people: number, maxBlockSize = 200): ReplayResult {
  const resolution = new InMemoryResolution({ maxBlockSize });
  const population = generatePopulation({ seed, people: { people }, events: true });
  const customerOf = new Map<string, string>();
  for (const event of population.events) {
    const { messageId, timestamp, ...data } = event;
    const customerId = resolution.resolve({ id: messageId, time: new Date(timestamp).toISOString(), data });
    if (customerId !== undefined) customerOf.set(messageId, customerId);
  }
  const truth = new Map(
    population.events.map((event) => [event.messageId, population.truth.personOfEvent.get(event.messageId) ?? event.messageId]),
  );
  return resultOf(resolution, seed, customerOf, truth);
}

export function replay(seed: number, people: number, trainPeople: number, maxBlockSize = 200): ReplayResult {
  const resolution = new InMemoryResolution({ maxBlockSize });
  const feed = (records: readonly TraitRecord[], tag: string): Map<string, string> => {
    const customerOf = new Map<string, string>();
    for (const record of records) {
      const customerId = resolution.resolve(eventOf(record, tag));
      if (customerId !== undefined) customerOf.set(record.recordId, customerId);
    }
    return customerOf;
  };
  if (trainPeople > 0) {
    feed(generatePopulation({ seed: seed + 1000, people: { people: trainPeople }, events: false }).traitRecords, 't');
    resolution.parameters = estimateParameters(resolution.storedRecords(), resolution.parameters);
  }
  resolution.reviews = 0;
  const population = generatePopulation({ seed, people: { people }, events: false });
  const customerOf = feed(population.traitRecords, 'm');
  const truth = new Map(
    population.traitRecords.map((record) => [record.recordId, population.truth.personOfRecord.get(record.recordId) ?? record.recordId]),
  );
  return resultOf(resolution, seed, customerOf, truth);
}

function main(): void {
  const argv = process.argv.slice(2);
  const people = numberArgument(argv, '--people', 500);
  const trainPeople = numberArgument(argv, '--train-people', people);
  const seeds = argument(argv, '--seeds', '7,8').split(',').map(Number);
  const mode = argument(argv, '--mode', 'records');
  for (const seed of seeds) {
    const r = mode === 'events' ? replayEvents(seed, people) : replay(seed, people, trainPeople);
    process.stdout.write(
      `seed ${seed}: precision ${r.precision.toFixed(4)}, recall ${r.recall.toFixed(4)}, F1 ${r.f1.toFixed(4)}; ` +
        `${r.predictedCustomers} customers (${r.trueCustomers} true), ${r.falsePairs} false pairs, ${r.reviews} reviews\n`,
    );
  }
}

if (require.main === module) main();
