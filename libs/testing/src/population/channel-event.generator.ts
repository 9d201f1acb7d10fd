import { caseVariant, dateFormat, emailVariant, phoneFormat, typo } from './noise';
import { SeededRandom } from '@o2o/random';
import { SyntheticSegmentEvent } from './segment-event.model';
import { Channel, SyntheticPerson } from './synthetic-person.model';

export interface TimeWindow {
  /** Epoch milliseconds. */
  readonly start: number;
  readonly end: number;
}

export interface EventNoiseOptions {
  /** Chance that an e-mail arrives with odd case or whitespace. */
  readonly emailVariant: number;
  readonly nameTypo: number;
  readonly nickname: number;
}

export const defaultEventNoise: EventNoiseOptions = { emailVariant: 0.3, nameTypo: 0.03, nickname: 0.15 };

function at(rng: SeededRandom, window: TimeWindow): string {
  return new Date(Math.floor(window.start + rng.uniform() * (window.end - window.start))).toISOString();
}

function firstNameOf(rng: SeededRandom, person: SyntheticPerson, noise: EventNoiseOptions): string {
  const name = person.nickname !== undefined && rng.chance(noise.nickname) ? person.nickname : person.firstName;
  return caseVariant(rng, rng.chance(noise.nameTypo) ? typo(rng, name) : name);
}

function emailOf(rng: SeededRandom, person: SyntheticPerson, noise: EventNoiseOptions): string | undefined {
  if (person.email === undefined) return undefined;
  return rng.chance(noise.emailVariant) ? emailVariant(rng, person.email) : person.email;
}

function addressTraits(person: SyntheticPerson): Record<string, string> {
  const address = person.address;
  return {
    street: `${address.unit !== undefined ? `${address.unit}/` : ''}${address.number} ${address.streetName} ${address.streetType[0]}`,
    city: address.locality.suburb,
    postalCode: address.locality.postcode,
    state: address.locality.state,
    country: 'AU',
  };
}

function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

/**
 * The non-purchase events one person produces through one channel, each as that channel really
 * identifies people: devices and logins on web and app, a CRM id at the call centre, a loyalty
 * card in store, an e-mail address for e-mail, a licence plate at the dealer.
 */
export function channelEvents(
  rng: SeededRandom,
  person: SyntheticPerson,
  channel: Channel,
  window: TimeWindow,
  noise: EventNoiseOptions = defaultEventNoise,
): SyntheticSegmentEvent[] {
  const context = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ channel, ...extra });
  const events: SyntheticSegmentEvent[] = [];
  const base = (): { messageId: string; timestamp: string } => ({ messageId: rng.uuid(), timestamp: at(rng, window) });

  switch (channel) {
    case 'web':
    case 'app': {
      const device = person.devices.length > 0 ? rng.pick(person.devices) : rng.uuid();
      for (let k = rng.int(1, 4); k > 0; k -= 1) {
        events.push({
          ...base(),
          type: channel === 'web' ? 'page' : 'track',
          anonymousId: device,
          ...(channel === 'web'
            ? { name: rng.pick(['Home', 'Service Booking', 'Accessories', 'Offers']) }
            : { event: 'Product Viewed', properties: { category: rng.pick(['Tyres', 'Accessories', 'Servicing']) } }),
          context: context(),
        });
      }
      if (person.userId !== undefined) {
        events.push({
          ...base(),
          type: 'identify',
          userId: person.userId,
          anonymousId: device,
          traits: defined({
            email: emailOf(rng, person, noise),
            firstName: firstNameOf(rng, person, noise),
            lastName: person.lastName,
            phone: person.mobile !== undefined ? phoneFormat(rng, person.mobile) : undefined,
          }),
          context: context(),
        });
        if (rng.chance(0.2)) events.push({ ...base(), type: 'alias', userId: person.userId, previousId: device, context: context() });
      }
      break;
    }
    case 'call-centre':
      events.push({
        ...base(),
        type: 'identify',
        anonymousId: rng.uuid(),
        traits: defined({
          crmId: person.crmId,
          firstName: firstNameOf(rng, person, noise),
          lastName: caseVariant(rng, person.lastName),
          phone:
            person.mobile !== undefined
              ? phoneFormat(rng, person.mobile)
              : person.landline !== undefined
                ? phoneFormat(rng, person.landline)
                : undefined,
          birthday: rng.chance(0.6) ? dateFormat(rng, person.birthDate) : undefined,
          address: addressTraits(person),
        }),
        context: context(),
      });
      break;
    case 'store':
    case 'loyalty':
      events.push({
        ...base(),
        type: channel === 'loyalty' ? 'identify' : 'track',
        anonymousId: rng.uuid(),
        ...(channel === 'loyalty'
          ? {
              traits: defined({
                loyaltyCard: person.loyaltyCard,
                email: emailOf(rng, person, noise),
                firstName: firstNameOf(rng, person, noise),
                lastName: person.lastName,
                birthday: dateFormat(rng, person.birthDate),
                address: addressTraits(person),
              }),
            }
          : { event: 'Store Visit', properties: { storeId: `S${rng.int(1, 40)}` } }),
        context: context({ traits: defined({ loyaltyCard: person.loyaltyCard }) }),
      });
      break;
    case 'email':
      for (let k = rng.int(1, 5); k > 0; k -= 1) {
        events.push({
          ...base(),
          type: 'track',
          anonymousId: rng.uuid(),
          event: rng.pick(['Email Opened', 'Email Link Clicked']),
          properties: { campaignId: `cmp-${rng.int(1, 30)}` },
          context: context({ traits: defined({ email: emailOf(rng, person, noise) }) }),
        });
      }
      break;
    case 'dealer':
      events.push({
        ...base(),
        type: 'identify',
        anonymousId: rng.uuid(),
        traits: defined({
          licencePlate: person.licencePlate,
          firstName: firstNameOf(rng, person, noise),
          lastName: person.lastName,
          phone: person.mobile !== undefined ? phoneFormat(rng, person.mobile) : undefined,
          address: addressTraits(person),
        }),
        context: context(),
      });
      break;
  }
  return events;
}
