/**
 * The synthetic population the bench drives: the same life as libs/testing's demo traffic
 * (anonymous browsing, sign-up, orders online and in store with a loyalty card, e-mail opens,
 * answered questions, consent changes, app screens), but seeded, so two runs send the same mix,
 * and with message ids and order ids the bench chose, so it can check every effect at the end.
 * (Its own people and mix rather than libs/testing's DemoPopulation, so the bench's recorded
 * figures stay comparable; see docs/performance.md.)
 */
import { seededUniform } from '@o2o/random';

export type BenchChannel = 'web' | 'app' | 'call-centre' | 'store' | 'loyalty' | 'email';

export interface BenchMessage {
  channel: BenchChannel;
  messageId: string;
  userId: string | undefined;
  /** Set for Order Completed: what value scoring must count exactly once. */
  order?: { orderId: string; revenue: number };
  message: Record<string, unknown>;
}

interface Persona {
  index: number;
  email: string;
  phone: string;
  loyaltyCard: string;
  anonymousId: string;
  firstName: string;
  lastName: string;
  userId?: string;
  appetite: number;
  category: string;
  budget: number;
}

const categories = ['shoes', 'outdoor', 'books', 'kitchen', 'electronics', 'toys', 'garden', 'beauty'];
const firstNames = [
  'Anna',
  'Ben',
  'Chloe',
  'David',
  'Emma',
  'Farid',
  'Grace',
  'Hugo',
  'Ines',
  'Jonas',
  'Karin',
  'Luca',
  'Maya',
  'Nils',
  'Olga',
  'Paul',
  'Rosa',
  'Sami',
  'Tara',
  'Yusuf',
];
/*
 * Surnames from two parts (400 of them, 8,000 full names): a population where everybody shares
 * a handful of names puts every record under the same matching blocking keys, which no real
 * customer base does and which makes identity resolution compare each record with all others.
 */
const surnameStarts = [
  'Ab',
  'Bar',
  'Cor',
  'Dal',
  'Eng',
  'Fal',
  'Gun',
  'Hal',
  'Is',
  'Jor',
  'Kal',
  'Lin',
  'Mor',
  'Nor',
  'Ost',
  'Pal',
  'Ros',
  'Sal',
  'Ten',
  'Vol',
];
const surnameEnds = [
  'berg',
  'mann',
  'son',
  'ez',
  'ini',
  'ova',
  'sen',
  'ard',
  'ley',
  'ic',
  'ski',
  'feld',
  'ton',
  'ero',
  'dal',
  'strom',
  'ier',
  'ato',
  'wick',
  'ham',
];
const questions = [
  { questionId: 'contact-preferred-channel', answers: ['email', 'sms', 'phone'] },
  { questionId: 'household-children', answers: ['yes', 'no'] },
  { questionId: 'works-from-home', answers: ['yes', 'no'] },
];

export class BenchPopulation {
  private readonly personas: Persona[];
  private readonly random: () => number;
  private sequence = 0;

  constructor(
    size: number,
    private readonly runId: string,
    seed: number,
  ) {
    this.random = seededUniform(seed);
    this.personas = Array.from({ length: size }, (_, index) => {
      const first = this.pick(firstNames);
      const last = `${this.pick(surnameStarts)}${this.pick(surnameEnds)}`;
      const big = this.random() < 0.1;
      return {
        index,
        email: `${first}.${last}.${runId}.${index}@demo-mail.net`.toLowerCase(),
        phone: `+4930${String(1_000_000 + index).padStart(7, '0')}`,
        loyaltyCard: `LC${runId}${String(500_000 + index)}`,
        anonymousId: `anon-${runId}-${index}`,
        firstName: first,
        lastName: last,
        appetite: big ? 3 : 0.5,
        category: this.pick(categories),
        budget: big ? 400 : 60,
      };
    });
  }

  /** The next `count` interactions, spread over random customers (not retired ones). */
  next(count: number): BenchMessage[] {
    const out: BenchMessage[] = [];
    const active = this.retired.size === 0 ? this.personas : this.personas.filter((p) => !this.retired.has(p.index));
    for (let i = 0; i < count; i++) out.push(this.act(this.pick(active)));
    return out;
  }

  private readonly retired = new Set<number>();

  /**
   * Takes a customer who identified with a userId out of the load (a customer who asked to be
   * erased sends nothing more) and answers that userId; undefined if none has one yet.
   */
  retireOneIdentified(): string | undefined {
    const persona = this.personas.find((p) => p.userId !== undefined && !this.retired.has(p.index));
    if (!persona) return undefined;
    this.retired.add(persona.index);
    return persona.userId;
  }

  private pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  private act(p: Persona): BenchMessage {
    this.sequence++;
    const now = new Date().toISOString();
    const messageId = `bench-${this.runId}-${this.sequence}`;
    const base = { messageId, timestamp: now, sentAt: now };
    const make = (channel: BenchChannel, message: Record<string, unknown>, order?: BenchMessage['order']): BenchMessage => ({
      channel,
      messageId,
      userId: p.userId,
      ...(order ? { order } : {}),
      message: { ...base, ...message },
    });
    if (p.userId === undefined) {
      if (this.random() < 0.25) {
        p.userId = `user-${this.runId}-${p.index}`;
        return make('web', {
          type: 'identify',
          userId: p.userId,
          anonymousId: p.anonymousId,
          traits: { email: p.email, firstName: p.firstName, lastName: p.lastName },
        });
      }
      return make('web', this.view(p));
    }
    const userId = p.userId;
    const roll = this.random() * 100;
    if (roll < 30) return make('web', this.view(p));
    if (roll < 30 + 25 * Math.min(1, p.appetite)) {
      const store = this.random() < 0.3;
      const items = 1 + Math.floor(this.random() * 3);
      const products = Array.from({ length: items }, () => {
        const category = this.random() < 0.6 ? p.category : this.pick(categories);
        return {
          product_id: `sku-${category}-${Math.floor(this.random() * 50)}`,
          category,
          price: Math.round((p.budget / items) * (0.5 + this.random()) * 100) / 100,
          quantity: 1,
        };
      });
      const revenue = Math.round(products.reduce((s, x) => s + x.price * x.quantity, 0) * 100) / 100;
      const orderId = `o-${this.runId}-${this.sequence}`;
      return make(
        store ? 'store' : 'web',
        {
          type: 'track',
          userId,
          event: 'Order Completed',
          ...(store ? { context: { traits: { loyaltyCard: p.loyaltyCard } } } : {}),
          properties: { order_id: orderId, revenue, currency: 'EUR', products },
        },
        { orderId, revenue },
      );
    }
    if (roll < 65) return make('email', { type: 'track', userId, event: 'Email Opened', properties: { campaign: 'weekly-news' } });
    if (roll < 75) {
      const q = this.pick(questions);
      return make('call-centre', {
        type: 'track',
        userId,
        event: 'Question Answered',
        context: { traits: { phone: p.phone, email: p.email } },
        properties: { questionId: q.questionId, answer: this.pick(q.answers), purpose: 'personalisation' },
      });
    }
    if (roll < 82)
      return make('loyalty', { type: 'identify', userId, traits: { loyaltyCard: p.loyaltyCard, email: p.email, phone: p.phone } });
    if (roll < 88) {
      return make('web', {
        type: 'track',
        userId,
        event: 'Consent Updated',
        properties: {
          purpose: this.pick(['email-marketing', 'personalisation', 'profiling']),
          channel: 'email',
          granted: this.random() >= 0.15,
          wordingVersion: 'v3',
        },
      });
    }
    return make('app', { type: 'screen', userId, name: 'Home', properties: { category: p.category } });
  }

  private view(p: Persona): Record<string, unknown> {
    const category = this.random() < 0.7 ? p.category : this.pick(categories);
    return {
      type: 'track',
      anonymousId: p.anonymousId,
      ...(p.userId ? { userId: p.userId } : {}),
      event: 'Product Viewed',
      properties: {
        product_id: `sku-${category}-${Math.floor(this.random() * 50)}`,
        category,
        price: Math.round(p.budget * (0.3 + this.random())),
      },
    };
  }
}
