import fc from 'fast-check';
import type { Channel, ResolvedEventDataV1 } from '@o2o/contracts';
import { answered, asked, day, identify, ordered, page, preferences, track, viewed, type EventOptions } from './resolved-event.factory';

/**
 * Random but plausible event histories for property tests: every kind of event the profile
 * reacts to, on several channels, spread over more than a year so that decay, staleness and
 * lapsing all come into play.
 */
const channels: Channel[] = ['web', 'app', 'store', 'call-centre', 'email', 'kafka'];
const categories = ['shoes', 'travel', 'home-office', 'books'];
const answers: [string, unknown[]][] = [
  ['work-location', ['home', 'office', 'hybrid']],
  ['household-children', [true, false, null]],
  ['contact-preferred-channel', ['email', 'sms']],
  ['travel-frequency', ['weekly', 'rarely']],
];
const HORIZON_MINUTES = 500 * 24 * 60;

export const minutesAfterT0 = (minutes: number) => day(minutes / (24 * 60));

type EventSpec = { build: (options: EventOptions) => ResolvedEventDataV1; at: number; channel: Channel };

const specArb: fc.Arbitrary<EventSpec> = fc
  .record({
    at: fc.integer({ min: 0, max: HORIZON_MINUTES }),
    channel: fc.constantFrom(...channels),
    kind: fc.oneof(
      fc.record({
        type: fc.constant('identify' as const),
        traits: fc.record(
          {
            workLocation: fc.constantFrom('home', 'office'),
            hasChildren: fc.boolean(),
            preferredContactMethod: fc.constantFrom('email', 'sms'),
            interests: fc.subarray(['golf', 'wine']),
          },
          { requiredKeys: [] },
        ),
      }),
      fc
        .constantFrom(...answers)
        .chain(([questionId, values]) =>
          fc.record({ type: fc.constant('answer' as const), questionId: fc.constant(questionId), answer: fc.constantFrom(...values) }),
        ),
      fc.record({ type: fc.constant('asked' as const), questionId: fc.constantFrom(...answers.map(([q]) => q)) }),
      fc.record({ type: fc.constant('viewed' as const), category: fc.constantFrom(...categories) }),
      fc.record({
        type: fc.constant('ordered' as const),
        categories: fc.subarray(categories, { minLength: 1 }),
        coupon: fc.option(fc.constant('SAVE'), { nil: undefined }),
        gift: fc.option(fc.boolean(), { nil: undefined }),
      }),
      fc.record({ type: fc.constant('page' as const), category: fc.option(fc.constantFrom(...categories), { nil: undefined }) }),
      fc.record({
        type: fc.constant('preferences' as const),
        consents: fc.record({ personalisation: fc.boolean(), contact: fc.boolean() }),
      }),
      fc.record({ type: fc.constant('outbound' as const) }),
    ),
  })
  .map(({ at, channel, kind }) => {
    const build = (options: EventOptions): ResolvedEventDataV1 => {
      switch (kind.type) {
        case 'identify':
          return identify(kind.traits, options);
        case 'answer':
          return answered(kind.questionId, kind.answer, options);
        case 'asked':
          return asked(kind.questionId, options);
        case 'viewed':
          return viewed(kind.category, options);
        case 'ordered':
          return ordered({ categories: kind.categories, coupon: kind.coupon, gift: kind.gift }, options);
        case 'page':
          return page(kind.category, options);
        case 'preferences':
          return preferences({}, kind.consents, options);
        case 'outbound':
          return track('Email Sent', { campaign: 'x' }, options);
      }
    };
    return { build, at, channel };
  });

/** A history of distinct events (unique ids) for one customer. */
export function historyArb(customerId = 'c-1', options: { minLength?: number; maxLength?: number; idPrefix?: string } = {}) {
  return fc
    .array(specArb, { minLength: options.minLength ?? 0, maxLength: options.maxLength ?? 25 })
    .map((specs) =>
      specs.map((spec, i) =>
        spec.build({ id: `${options.idPrefix ?? 'e'}${i}`, at: minutesAfterT0(spec.at), channel: spec.channel, customerId }),
      ),
    );
}

/** A history together with a permutation of it. */
export function historyAndPermutationArb(customerId = 'c-1') {
  return historyArb(customerId).chain((events) =>
    fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length })),
  );
}
