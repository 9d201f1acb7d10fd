import { Controller, DynamicModule, ForwardReference, Inject, Injectable, Module, Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InjectModel, MongooseModule, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { TopicDefinition, topics } from '@o2o/contracts';
import { BatchHandler, createEnvelope, EventBatch, KafkaPublisher, OutgoingEvent, TopicNames } from '@o2o/kafka';
import { InjectLogger, Logger } from '@o2o/observability';
import { GenerationCachedSet, InjectRedis, Redis } from '@o2o/redis';
import { erasedSetCopy } from './erased-set';
import { Pseudonyms } from './pseudonyms';

/** What a service does for the privacy requests every service must answer. */
export interface PrivacyParticipant {
  /** Everything this service holds about these customer ids (the customer and those merged into it), as plain JSON. */
  exportData(customerIds: string[]): Promise<Record<string, unknown>>;
  /**
   * Deletes it all: documents, Redis keys, derived data. Returns what was removed (counts, never
   * data) and the compacted topics keyed by customer id that must receive tombstones.
   */
  erase(customerIds: string[]): Promise<{ deleted: Record<string, number>; tombstones: TopicDefinition[] }>;
}

export const PRIVACY_PARTICIPANT = Symbol('PRIVACY_PARTICIPANT');
export const PRIVACY_SERVICE_NAME = Symbol('PRIVACY_SERVICE_NAME');
export const PRIVACY_PSEUDONYM_KEY = Symbol('PRIVACY_PSEUDONYM_KEY');

/** For services that hold nothing keyed by customer (they still acknowledge, so the request can complete). */
@Injectable()
export class NoCustomerDataParticipant implements PrivacyParticipant {
  async exportData(): Promise<Record<string, unknown>> {
    return { note: 'this service keeps no data about individual customers' };
  }

  async erase(): Promise<{ deleted: Record<string, number>; tombstones: TopicDefinition[] }> {
    return { deleted: {}, tombstones: [] };
  }
}

/**
 * Customers erased from this service: their later and replayed messages are skipped. Held as
 * keyed hashes, so the list itself is no trace of who they were.
 */
@Schema({ collection: 'erased_customers', versionKey: false })
export class ErasedCustomer {
  /** HMAC-SHA256 of the customer id with PRIVACY_PSEUDONYM_KEY. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) requestId!: string;
  @Prop({ type: Date, required: true }) erasedAt!: Date;
}
export const ErasedCustomerSchema = SchemaFactory.createForClass(ErasedCustomer);

@Injectable()
export class ErasureRegistry {
  /**
   * Every consumer call checks its subjects, and erasures are rare: the process keeps a copy of
   * the erased pseudonyms, revalidated on each check by one Redis GET of a token every `mark`
   * replaces (an erasure counts from the moment it is recorded, for every instance).
   */
  private readonly copy: GenerationCachedSet;

  private readonly pseudonyms: Pseudonyms;

  constructor(
    @InjectModel(ErasedCustomer.name) private readonly erased: Model<ErasedCustomer>,
    @Inject(PRIVACY_PSEUDONYM_KEY) key: string,
    @Inject(PRIVACY_SERVICE_NAME) service: string,
    @InjectRedis() redis: Redis,
    @InjectLogger() logger: Logger,
  ) {
    this.copy = erasedSetCopy(erased, redis, `privacy:erased-customers:${service}:generation`, logger);
    this.pseudonyms = new Pseudonyms(key);
  }

  pseudonym(customerId: string): string {
    return this.pseudonyms.of(customerId);
  }

  /** Records the erasure, then tells every instance's copy (fails, and is redone, if Redis does not take it). */
  async mark(customerIds: string[], requestId: string): Promise<void> {
    if (customerIds.length === 0) return;
    const erasedAt = new Date();
    await this.erased.bulkWrite(
      customerIds.map((id) => ({
        updateOne: { filter: { _id: this.pseudonym(id) }, update: { $setOnInsert: { requestId, erasedAt } }, upsert: true },
      })),
      { ordered: false },
    );
    await this.copy.changed();
  }

  /** The erased ones among `subjects`: from the in-process copy, else one indexed read per tick. */
  async erasedAmong(subjects: string[]): Promise<Set<string>> {
    const unique = [...new Set(subjects)];
    const bySubject = new Map(unique.map((s) => [this.pseudonym(s), s]));
    const erased = await this.copy.among([...bySubject.keys()]);
    return new Set([...erased].flatMap((p) => bySubject.get(p) ?? []));
  }

  /** For the Kafka transport: skip erased subjects everywhere except on the privacy topics (acknowledgements name the erased customer). */
  skipper(): (topic: TopicDefinition, subjects: string[]) => Promise<Set<string>> {
    const exempt = new Set([topics.privacyRequests.name, topics.privacyResponses.name]);
    return async (topic, subjects) => (exempt.has(topic.name) ? new Set() : this.erasedAmong(subjects));
  }
}

@Controller()
export class PrivacyRequestsConsumer {
  constructor(
    @Inject(PRIVACY_PARTICIPANT) private readonly participant: PrivacyParticipant,
    @Inject(PRIVACY_SERVICE_NAME) private readonly service: string,
    private readonly registry: ErasureRegistry,
    private readonly publisher: KafkaPublisher,
    private readonly names: TopicNames,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /**
   * Erasure: mark the customer erased first (so live and replayed messages are skipped from now
   * on), delete, tombstone the compacted topics, then acknowledge. Redelivery repeats harmlessly.
   */
  @BatchHandler(topics.privacyRequests)
  async onRequest(@Payload() batch: EventBatch<'privacyRequests'>): Promise<void> {
    const responses: OutgoingEvent[] = [];
    for (const message of batch.messages) {
      if (message.kind !== 'event') continue;
      const request = message.event;
      const ids = [request.data.customerId, ...request.data.mergedIds];
      const now = new Date().toISOString();
      if (request.type === 'privacy.erasure-requested') {
        await this.registry.mark(ids, request.data.requestId);
        const result = await this.participant.erase(ids);
        for (const topic of result.tombstones) await this.publisher.publishTombstones(topic, ids);
        this.logger.info({ requestId: request.data.requestId, deleted: result.deleted }, 'customer erased');
        responses.push({
          key: request.data.requestId,
          trace: message.trace,
          event: createEnvelope({
            type: 'privacy.erasure-acknowledged',
            version: 1,
            id: `erasure-ack:${request.data.requestId}:${this.service}`,
            source: `/services/${this.service}`,
            subject: request.data.customerId,
            causationid: request.id,
            data: {
              requestId: request.data.requestId,
              customerId: request.data.customerId,
              service: this.service,
              deleted: result.deleted,
              tombstonedTopics: result.tombstones.map((t) => this.names.of(t)),
              completedAt: now,
            },
          }),
        });
      } else {
        const data = await this.participant.exportData(ids);
        responses.push({
          key: request.data.requestId,
          trace: message.trace,
          event: createEnvelope({
            type: 'privacy.export-provided',
            version: 1,
            id: `export:${request.data.requestId}:${this.service}`,
            source: `/services/${this.service}`,
            subject: request.data.customerId,
            causationid: request.id,
            data: { requestId: request.data.requestId, customerId: request.data.customerId, service: this.service, data, providedAt: now },
          }),
        });
      }
    }
    await this.publisher.publish([{ topic: topics.privacyResponses, events: responses }]);
  }
}

export interface PrivacySettings {
  /** Modules whose providers the participant needs. */
  imports?: Array<Type<unknown> | DynamicModule | ForwardReference>;
  participant: Type<PrivacyParticipant>;
}

@Module({})
export class PrivacyModule {
  static register(service: string, settings: PrivacySettings, pseudonymKey: string): DynamicModule {
    return {
      module: PrivacyModule,
      imports: [MongooseModule.forFeature([{ name: ErasedCustomer.name, schema: ErasedCustomerSchema }]), ...(settings.imports ?? [])],
      controllers: [PrivacyRequestsConsumer],
      providers: [
        settings.participant,
        { provide: PRIVACY_PARTICIPANT, useExisting: settings.participant },
        { provide: PRIVACY_SERVICE_NAME, useValue: service },
        { provide: PRIVACY_PSEUDONYM_KEY, useValue: pseudonymKey },
        ErasureRegistry,
      ],
      exports: [ErasureRegistry],
    };
  }
}
