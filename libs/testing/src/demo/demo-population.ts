import { randomInt, randomUUID } from 'node:crypto';
import { SeededRandom } from '@o2o/random';

/**
 * Demo traffic: simulated customers living across channels. Each tick, a few customers do the
 * next plausible thing for where they are: browse anonymously on the web, sign up, buy online
 * or in store with a loyalty card, call the call centre, open e-mails, answer a question,
 * change consent. What reaches ingestion is plain Segment-spec JSON per channel source. The call
 * centre also asks campaign-customization for the next best action and reports how the customer
 * responded to the offer and the question (outcome events), closing the learning loop.
 */
export type DemoChannel = 'web' | 'app' | 'call-centre' | 'store' | 'loyalty' | 'email' | 'dealer';

export interface DemoMessage {
  channel: DemoChannel;
  message: Record<string, unknown>;
}

interface Persona {
  index: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  loyaltyCard: string;
  anonymousId: string;
  userId?: string;
  /** Purchases per active week; a few big spenders, many occasional ones. */
  appetite: number;
  favouriteCategory: string;
  budget: number;
  stage: 'browsing' | 'signed-up' | 'customer';
  /**
   * A heavy returner (about one in twelve): sends most orders back and calls the service desk
   * about them, so serving them costs more than they bring: the below-zero customers that
   * value-scoring tiers D.
   */
  returner: boolean;
  /** Orders bought and not yet sent back (returners only): the next act may return one. */
  toReturn: Array<{ orderId: string; revenue: number }>;
}

const firstNames = [
  'Anna',
  'Ben',
  'Chloé',
  'David',
  'Emma',
  'Farid',
  'Grace',
  'Hugo',
  'Ines',
  'Jonas',
  'Kira',
  'Liam',
  'Maya',
  'Noah',
  'Olga',
  'Pablo',
  'Rosa',
  'Sven',
  'Tara',
  'Yusuf',
];
const lastNames = ['Meyer', 'Dubois', 'Rossi', 'García', 'Novak', 'Jensen', 'Smith', 'Kowalski', 'Silva', 'Nguyen', 'Müller', 'Andersson'];
const categories = ['shoes', 'outdoor', 'books', 'kitchen', 'electronics', 'toys', 'garden', 'beauty'];
/** Questions of needs-profiling's default bank, answered as the bank expects (type and purpose). */
const questions: ReadonlyArray<{ questionId: string; purpose: string; answers: ReadonlyArray<string | boolean> }> = [
  { questionId: 'contact-preferred-channel', purpose: 'contact', answers: ['email', 'sms', 'phone'] },
  { questionId: 'household-children', purpose: 'personalisation', answers: [true, false] },
  { questionId: 'work-location', purpose: 'personalisation', answers: ['home', 'office', 'hybrid'] },
];

/** The demo's campaigns: one product per category, so learned arbitration has something to learn. */
export const demoCampaignProducts: ReadonlyArray<{ campaignId: string; optionId: string; category: string; label: string }> = [
  { campaignId: 'demo-shoes', optionId: 'trail-runners', category: 'shoes', label: 'Trail runners' },
  { campaignId: 'demo-outdoor', optionId: 'family-tent', category: 'outdoor', label: 'Family tent' },
  { campaignId: 'demo-kitchen', optionId: 'chef-knife', category: 'kitchen', label: "Chef's knife" },
];

/** What a channel knows of a decided offer (from the next-action answer). */
export interface DemoOffer {
  userId: string;
  decisionId: string;
  campaignId: string;
  category?: string;
}

function pick<T>(items: readonly T[]): T {
  const item = items[randomInt(items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function chance(p: number): boolean {
  return randomInt(1_000_000) < p * 1_000_000;
}

export class DemoPopulation {
  private readonly personas: Persona[];
  private orderSequence = 0;

  /** With a seed, the same people every time (names, spenders, returners, anonymous ids). */
  constructor(size: number, seed?: number) {
    const rng = seed === undefined ? undefined : new SeededRandom(seed);
    const pickOne = <T>(items: readonly T[]): T => (rng ? rng.pick(items) : pick(items));
    const maybe = (probability: number): boolean => (rng ? rng.chance(probability) : chance(probability));
    this.personas = Array.from({ length: size }, (_, index) => {
      const firstName = pickOne(firstNames);
      const lastName = pickOne(lastNames);
      const bigSpender = maybe(0.1);
      return {
        index,
        firstName,
        lastName,
        email: `${firstName}.${lastName}.${index}@demo-mail.net`
          .toLowerCase()
          .normalize('NFD')
          .replace(/[\u0300-\u036f]/g, ''),
        phone: `+4930${String(1_000_000 + index).padStart(7, '0')}`,
        loyaltyCard: `LC${String(500_000 + index)}`,
        anonymousId: rng ? rng.uuid() : randomUUID(),
        appetite: bigSpender ? 3 : 0.5,
        favouriteCategory: pickOne(categories),
        // Spend levels vary from person to person around the two kinds (a gamma with CV 0.5), as
        // the spend model assumes, rather than two fixed amounts.
        budget: Math.round((bigSpender ? 400 : 60) * (rng ? rng.gamma(4, 4) : 0.5 + randomInt(1000) / 1000) * 100) / 100,
        stage: 'browsing',
        returner: !bigSpender && maybe(0.08),
        toReturn: [],
      };
    });
  }

  /**
   * Order history of the demo's past customers, to send once through /v1/import before the live
   * traffic. value-scoring's model learns purchase rates from repeat purchases in distinct weeks,
   * which minutes of live traffic never give (every live order falls in the same week), so without
   * a history the model stays interim and strategic value and the most-growable ranking stay empty.
   *
   * Drawn as the buy-till-you-die story the model assumes, so a fit on it means something: about
   * 60 % of the people became customers on a day spread over the period (first order that day),
   * each buys at a weekly rate drawn from a gamma (big spenders about one order in three weeks,
   * the others one in four months on average) and after each order stops for good with a
   * probability drawn from a beta (mean 0.15). The previous history (orders spread evenly up to
   * today, nobody ever stopping) fitted a model in which no one drops out (a ≈ 2e-9, b ≈ 47,000).
   * Seeded: one seed and the same people (the constructor's seed) give the same days, counts,
   * amounts, message and order ids, so a second import of it is deduplicated. Sorted by time; `sentAt` left to the batch.
   */
  history(days: number, options: { seed?: number; now?: number } = {}): DemoMessage[] {
    const out: DemoMessage[] = [];
    if (days < 31) return out;
    const rng = new SeededRandom(options.seed ?? 1);
    const now = options.now ?? Date.now();
    const day = 86_400_000;
    const week = 7 * day;
    for (const p of this.personas) {
      if (!rng.chance(0.6)) continue;
      const userId = `user-${p.index}`;
      p.userId = userId;
      p.stage = 'customer';
      const since = now - (1 + rng.int(0, days - 1)) * day - rng.int(0, day - 1);
      out.push({
        channel: 'web',
        message: {
          messageId: rng.uuid(),
          timestamp: new Date(since).toISOString(),
          type: 'identify',
          userId,
          anonymousId: p.anonymousId,
          traits: { email: p.email, firstName: p.firstName, lastName: p.lastName },
        },
      });
      const weeklyRate = rng.gamma(2, 2 / (p.appetite > 1 ? 0.35 : 0.06));
      const a = rng.gamma(1.5, 1);
      const dropout = a / (a + rng.gamma(8.5, 1));
      let at = since + rng.int(60_000, 3_600_000);
      for (let i = 0; at < now && i < 80; i++) {
        const placed = this.order(
          p,
          userId,
          { messageId: rng.uuid(), timestamp: new Date(at).toISOString() },
          rng.chance(0.3) ? 'store' : 'web',
          rng,
        );
        (placed.message['properties'] as { order_id: string }).order_id = `h${options.seed ?? 1}-${p.index}-${i}`;
        out.push(placed);
        if (rng.chance(dropout)) break;
        at += rng.exponential(weeklyRate) * week;
      }
    }
    return out.sort((a, b) => String(a.message['timestamp']).localeCompare(String(b.message['timestamp'])));
  }

  /** The next `count` interactions, spread over random customers. */
  next(count: number): DemoMessage[] {
    const out: DemoMessage[] = [];
    for (let i = 0; i < count; i++) out.push(...this.act(pick(this.personas)));
    return out;
  }

  private act(p: Persona): DemoMessage[] {
    const now = new Date().toISOString();
    const base = { messageId: randomUUID(), timestamp: now, sentAt: now };
    if (p.stage === 'browsing') {
      if (chance(0.25)) {
        p.userId = `user-${p.index}`;
        p.stage = 'signed-up';
        return [
          {
            channel: 'web',
            message: {
              ...base,
              type: 'identify',
              userId: p.userId,
              anonymousId: p.anonymousId,
              traits: { email: p.email, firstName: p.firstName, lastName: p.lastName },
            },
          },
        ];
      }
      return [this.view(p, base)];
    }
    const userId = p.userId ?? `user-${p.index}`;
    const returned = p.toReturn.shift();
    if (returned) return this.sendBack(p, userId, base, returned);
    const roll = randomInt(100);
    if (roll < 30) return [this.view(p, base)];
    if (roll < 30 + 25 * Math.min(1, p.appetite)) {
      p.stage = 'customer';
      const placed = this.order(p, userId, base, chance(0.3) ? 'store' : 'web');
      const properties = placed.message['properties'] as { order_id: string; revenue: number };
      if (p.returner && chance(0.85)) p.toReturn.push({ orderId: properties.order_id, revenue: properties.revenue });
      return [placed];
    }
    if (roll < 65) {
      // The weekly news is a contact the company pays for (value-scoring prices it per channel); opened or not.
      const sent: DemoMessage = {
        channel: 'email',
        message: { ...base, type: 'track', userId, event: 'Contact Made', properties: { channel: 'email', campaign: 'weekly-news' } },
      };
      if (chance(0.5)) return [sent];
      return [
        sent,
        {
          channel: 'email',
          message: {
            ...base,
            messageId: randomUUID(),
            type: 'track',
            userId,
            event: 'Email Opened',
            properties: { campaign: 'weekly-news' },
          },
        },
      ];
    }
    if (roll < 75) {
      const q = pick(questions);
      return [
        {
          channel: 'call-centre',
          message: {
            ...base,
            type: 'track',
            userId,
            event: 'Question Answered',
            context: { traits: { phone: p.phone, email: p.email } },
            properties: { questionId: q.questionId, answer: pick(q.answers), purpose: q.purpose },
          },
        },
      ];
    }
    if (roll < 82) {
      return [
        {
          channel: 'loyalty',
          message: { ...base, type: 'identify', userId, traits: { loyaltyCard: p.loyaltyCard, email: p.email, phone: p.phone } },
        },
      ];
    }
    if (roll < 88) {
      return [
        {
          channel: 'web',
          // Given on the web for e-mail or for calls (the console's demo campaign needs marketing by phone).
          message: {
            ...base,
            type: 'track',
            userId,
            event: 'Consent Updated',
            properties: {
              purpose: pick(['email-marketing', 'personalisation', 'profiling', 'marketing']),
              channel: pick(['email', 'call-centre']),
              granted: !chance(0.15),
              wordingVersion: 'v3',
            },
          },
        },
      ];
    }
    return [{ channel: 'app', message: { ...base, type: 'screen', userId, name: 'Home', properties: { category: p.favouriteCategory } } }];
  }

  /** Customers known by userId, for the channel to ask the next best action about. */
  contactable(count: number): string[] {
    const known = this.personas.filter((p) => p.userId !== undefined);
    return Array.from({ length: Math.min(count, known.length) }, () => pick(known).userId ?? '');
  }

  /**
   * How a customer responds to an offer the call centre made: presented, then accepted (likelier
   * when it meets the favourite category), declined, or no answer at all (the platform records
   * that as ignored once the campaign's window passes).
   */
  respond(offer: DemoOffer): DemoMessage[] {
    const p = this.personas.find((x) => x.userId === offer.userId);
    const now = new Date().toISOString();
    const message = (event: string) => ({
      channel: 'call-centre' as const,
      message: {
        messageId: randomUUID(),
        timestamp: now,
        sentAt: now,
        type: 'track',
        userId: offer.userId,
        event,
        properties: { campaignId: offer.campaignId, decisionId: offer.decisionId },
      },
    });
    const out: DemoMessage[] = [message('Offer Presented')];
    const fits = p !== undefined && offer.category === p.favouriteCategory;
    const roll = randomInt(1000) / 1000;
    if (roll < (fits ? 0.4 : 0.05)) out.push(message('Offer Accepted'));
    else if (roll < 0.6) out.push(message('Offer Declined'));
    return out;
  }

  /** The customer's reply to the question the next-action answer carried: an answer or, sometimes, a refusal. */
  reply(userId: string, questionId: string, purpose: string): DemoMessage[] {
    const q = questions.find((x) => x.questionId === questionId);
    const now = new Date().toISOString();
    const base = { messageId: randomUUID(), timestamp: now, sentAt: now, type: 'track', userId };
    const asked: DemoMessage = { channel: 'call-centre', message: { ...base, event: 'Question Asked', properties: { questionId } } };
    if (q === undefined || chance(0.2)) {
      return [
        asked,
        {
          channel: 'call-centre',
          message: {
            ...base,
            messageId: randomUUID(),
            event: 'Question Declined',
            properties: { questionId, reason: 'prefers not to say' },
          },
        },
      ];
    }
    return [
      asked,
      {
        channel: 'call-centre',
        message: {
          ...base,
          messageId: randomUUID(),
          event: 'Question Answered',
          properties: { questionId, answer: pick(q.answers), purpose },
        },
      },
    ];
  }

  /** A returner sends an order back (Order Refunded, the Segment spec's return) and, mostly, calls the service desk about it. */
  private sendBack(p: Persona, userId: string, base: Record<string, unknown>, order: { orderId: string; revenue: number }): DemoMessage[] {
    const refund: DemoMessage = {
      channel: 'web',
      message: {
        ...base,
        type: 'track',
        userId,
        event: 'Order Refunded',
        properties: { order_id: order.orderId, revenue: order.revenue, currency: 'EUR' },
      },
    };
    if (!chance(0.7)) return [refund];
    const call: DemoMessage = {
      channel: 'call-centre',
      message: {
        ...base,
        messageId: randomUUID(),
        type: 'track',
        userId,
        event: 'Service Call Completed',
        context: { traits: { phone: p.phone } },
        properties: {
          reason: pick(['return label missing', 'refund not received', 'wrong size']),
          order_id: order.orderId,
          durationSeconds: 120 + randomInt(600),
        },
      },
    };
    return [refund, call];
  }

  private view(p: Persona, base: Record<string, unknown>): DemoMessage {
    const category = chance(0.7) ? p.favouriteCategory : pick(categories);
    return {
      channel: 'web',
      message: {
        ...base,
        type: 'track',
        anonymousId: p.anonymousId,
        ...(p.userId ? { userId: p.userId } : {}),
        event: 'Product Viewed',
        properties: {
          product_id: `sku-${category}-${randomInt(50)}`,
          category,
          price: Math.round(p.budget * (0.3 + randomInt(100) / 100)),
        },
      },
    };
  }

  private order(p: Persona, userId: string, base: Record<string, unknown>, channel: 'web' | 'store', rng?: SeededRandom): DemoMessage {
    // The history draws from its seeded generator, live traffic from the crypto one.
    const draw = (n: number): number => (rng ? rng.int(0, n - 1) : randomInt(n));
    const maybe = (probability: number): boolean => (rng ? rng.chance(probability) : chance(probability));
    this.orderSequence++;
    const items = 1 + draw(3);
    // In the history an order's total varies around the person's spend level as the spend model
    // assumes (a gamma with CV 0.4); live orders keep the plain spread of item prices.
    const basket = rng ? rng.gamma(6, 6) : 1;
    const shares = Array.from({ length: items }, () => 0.5 + draw(100) / 100);
    const shareTotal = rng ? shares.reduce((sum, share) => sum + share, 0) : items;
    const products = shares.map((share) => {
      const category = maybe(0.6) ? p.favouriteCategory : (categories[draw(categories.length)] ?? p.favouriteCategory);
      return {
        product_id: `sku-${category}-${draw(50)}`,
        category,
        price: Math.max(0.5, Math.round(((p.budget * basket * share) / shareTotal) * 100) / 100),
        quantity: 1,
      };
    });
    const revenue = Math.round(products.reduce((s, x) => s + x.price * x.quantity, 0) * 100) / 100;
    return {
      channel,
      message: {
        ...base,
        type: 'track',
        userId,
        event: 'Order Completed',
        ...(channel === 'store' ? { context: { traits: { loyaltyCard: p.loyaltyCard } } } : {}),
        properties: {
          order_id: `o-${Date.now()}-${this.orderSequence}`,
          revenue,
          currency: 'EUR',
          products,
          ...(maybe(0.2) ? { coupon: 'WELCOME10' } : {}),
        },
      },
    };
  }
}
