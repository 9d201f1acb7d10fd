import { channelEvents, defaultEventNoise, EventNoiseOptions, TimeWindow } from './channel-event.generator';
import { purchaseEvents } from './purchase.generator';
import { SeededRandom } from '@o2o/random';
import { SyntheticSegmentEvent } from './segment-event.model';
import { defaultPeopleOptions, generatePeople, PeopleOptions } from './synthetic-person.generator';
import { SyntheticPerson } from './synthetic-person.model';
import { defaultTraitRecordsOptions, generateTraitRecords, TraitRecord, TraitRecordsOptions } from './trait-record.generator';

export interface PopulationOptions {
  readonly seed: number;
  readonly people?: Partial<PeopleOptions>;
  /** ISO instants bounding event and purchase times. */
  readonly start?: string;
  readonly end?: string;
  readonly traitRecords?: Partial<TraitRecordsOptions>;
  readonly eventNoise?: Partial<EventNoiseOptions>;
  /** Skip the Segment events (faster when only trait records are needed). */
  readonly events?: boolean;
}

export interface Population {
  readonly people: readonly SyntheticPerson[];
  /** Identify/track/page/alias messages including purchases, in time order. */
  readonly events: readonly SyntheticSegmentEvent[];
  /** Personal-trait-only records, shuffled. */
  readonly traitRecords: readonly TraitRecord[];
  readonly truth: {
    /** messageId -> personId. */
    readonly personOfEvent: ReadonlyMap<string, string>;
    /** recordId -> personId. */
    readonly personOfRecord: ReadonlyMap<string, string>;
  };
}

/**
 * A reproducible synthetic customer base: the same seed and options give the same people,
 * events and records, byte for byte. Sub-generators draw from separate streams so that, for
 * example, turning events off does not change the trait records.
 */
export function generatePopulation(options: PopulationOptions): Population {
  const peopleOptions: PeopleOptions = { ...defaultPeopleOptions, ...options.people };
  const people = generatePeople(new SeededRandom(options.seed), peopleOptions);
  const recordOptions: TraitRecordsOptions = { ...defaultTraitRecordsOptions, ...options.traitRecords };
  const traits = generateTraitRecords(new SeededRandom(options.seed + 1), people, recordOptions);

  const events: SyntheticSegmentEvent[] = [];
  const personOfEvent = new Map<string, string>();
  if (options.events !== false) {
    const window: TimeWindow = {
      start: Date.parse(options.start ?? '2024-01-01T00:00:00Z'),
      end: Date.parse(options.end ?? '2025-12-31T23:59:59Z'),
    };
    const noise: EventNoiseOptions = { ...defaultEventNoise, ...options.eventNoise };
    const rng = new SeededRandom(options.seed + 2);
    let orderNumber = 0;
    const nextOrderNumber = (): number => (orderNumber += 1);
    for (const person of people) {
      const own = [
        ...person.channels.flatMap((channel) => channelEvents(rng, person, channel, window, noise)),
        ...purchaseEvents(rng, person, window, nextOrderNumber),
      ];
      for (const event of own) {
        events.push(event);
        personOfEvent.set(event.messageId, person.personId);
      }
    }
    events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.messageId < b.messageId ? -1 : 1));
  }
  return { people, events, traitRecords: traits.records, truth: { personOfEvent, personOfRecord: traits.personOf } };
}
