import {
  Body,
  Controller,
  DynamicModule,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Module,
  Optional,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { parseBody, problem } from './http-problem';
import type { ApiOperation } from './openapi';
import { InjectModel, MongooseModule, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Kafka } from 'kafkajs';
import { Model } from 'mongoose';
import { z } from 'zod';
import { Principal, RequestWithPrincipal, RequireScope, SCOPES } from '@o2o/auth';
import { topics } from '@o2o/contracts';
import {
  DATA_KEYS,
  DataKeySource,
  DeadLetterRecord,
  KAFKA,
  KafkaPublisher,
  openDeadLetter,
  readDeadLetters,
  redriveMessage,
  sealedDeadLetterHeader,
  sealedDeadLetterKeyId,
  TopicNames,
  TransientError,
} from '@o2o/kafka';
import { InjectLogger, Logger } from '@o2o/observability';

/**
 * What an operator did with a dead letter, and the audit of it: who (token subject or API key),
 * through which client, when, why. One per letter (its `_id` is the letter's partition and
 * offset on the dead-letter topic), so a letter is re-driven or discarded once.
 */
@Schema({ collection: 'dead_letter_actions', versionKey: false })
export class DeadLetterAction {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) action!: 'redriven' | 'discarded';
  /** A re-drive is 'sending' until Kafka took the message; a crash meanwhile leaves it to be re-driven again. */
  @Prop({ type: String, required: true }) state!: 'sending' | 'done';
  @Prop({ type: String, required: true }) dlqTopic!: string;
  @Prop({ type: String, required: true }) originalTopic!: string;
  @Prop({ type: Number }) originalPartition?: number;
  @Prop({ type: String }) originalOffset?: string;
  @Prop({ type: String, required: true }) reason!: string;
  @Prop({ type: String, required: true }) by!: string;
  @Prop({ type: String, required: true }) client!: string;
  @Prop({ type: Date, required: true }) at!: Date;
}
export const DeadLetterActionSchema = SchemaFactory.createForClass(DeadLetterAction);

export type DeadLetterStatus = 'pending' | 'redriven' | 'discarded';

export interface DeadLetterSummary {
  partition: number;
  offset: string;
  key: string | null;
  originalTopic: string;
  originalPartition: number | null;
  originalOffset: string | null;
  reason: string;
  error: string;
  attempts: number | null;
  failedAt: string | null;
  eventId: string | null;
  eventType: string | null;
  status: DeadLetterStatus;
  action?: { action: string; state: string; by: string; client: string; reason: string; at: string };
}

const DEAD_LETTER_GROUP = Symbol('DEAD_LETTER_GROUP');

export const deadLetterRef = z.strictObject({ partition: z.number().int().min(0), offset: z.string().regex(/^\d+$/) });
export const redriveSchema = z.union([
  z.strictObject({ letters: z.array(deadLetterRef).min(1).max(10000), reason: z.string().trim().min(1).max(500) }),
  z.strictObject({ all: z.literal(true), reason: z.string().trim().min(1).max(500) }),
]);
export const discardSchema = z.strictObject({
  letters: z.array(deadLetterRef).min(1).max(10000),
  reason: z.string().trim().min(1).max(500),
});
export const deadLetterListSchema = z.strictObject({
  status: z.enum(['pending', 'redriven', 'discarded']).optional(),
  limit: z.coerce.number().int().min(1).max(10000).default(1000),
});

const contractTopicNames = new Set<string>(Object.values(topics).map((t) => t.name));

const idOf = (letter: { partition: number; offset: string }): string => `${letter.partition}:${letter.offset}`;

/**
 * Dead-letter operations on the service's own consumer group's dead-letter topic: list, inspect,
 * re-drive to the original topic (in dead-letter order, which keeps each key's order) and
 * discard. Reading commits nothing; every action is recorded with who did it and why.
 */
@Injectable()
export class DeadLetterOperations {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly names: TopicNames,
    private readonly publisher: KafkaPublisher,
    @Inject(DEAD_LETTER_GROUP) private readonly groupId: string,
    @InjectModel(DeadLetterAction.name) private readonly actions: Model<DeadLetterAction>,
    @InjectLogger() private readonly logger: Logger,
    @Optional() @Inject(DATA_KEYS) private readonly dataKeys?: DataKeySource | null,
  ) {}

  get topic(): string {
    return this.names.deadLetter(this.groupId);
  }

  async list(status?: DeadLetterStatus, limit = 1000): Promise<{ topic: string; letters: DeadLetterSummary[] }> {
    const records = await readDeadLetters(this.kafka, this.topic);
    const actions = await this.actionsOf(records);
    const letters = records.map((r) => this.summary(r, actions.get(idOf(r)))).filter((l) => status === undefined || l.status === status);
    return { topic: this.topic, letters: letters.slice(0, limit) };
  }

  async inspect(partition: number, offset: string): Promise<DeadLetterSummary & { headers: Record<string, string>; value: unknown }> {
    const record = (await readDeadLetters(this.kafka, this.topic)).find((r) => r.partition === partition && r.offset === offset);
    if (!record) throw problem(404, 'not_found', `no dead letter at ${partition}/${offset} on ${this.topic}`);
    const action = (await this.actionsOf([record])).get(idOf(record));
    const text = record.value?.toString('utf8') ?? null;
    let value: unknown = text;
    if (text !== null) {
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
    }
    return { ...this.summary(record, action), headers: record.headers, value };
  }

  /** Sends the letters back to their original topics, oldest first, and records who did it. */
  async redrive(
    selection: { letters?: Array<{ partition: number; offset: string }>; all?: boolean },
    reason: string,
    principal: Principal,
  ): Promise<{ redriven: number; topics: Record<string, number> }> {
    const records = await readDeadLetters(this.kafka, this.topic);
    const actions = await this.actionsOf(records);
    const chosen = selection.all
      ? records.filter((r) => actions.get(idOf(r))?.state !== 'done')
      : this.select(records, actions, selection.letters ?? []);
    for (const r of chosen) {
      const contract = this.names.contractName(r.originalTopic);
      if (contract === undefined || !contractTopicNames.has(contract)) {
        throw problem(
          422,
          'unknown_topic',
          `dead letter ${idOf(r)} names ${r.originalTopic || 'no topic'} as its origin, not a topic of this deployment`,
        );
      }
    }
    if (chosen.length === 0) return { redriven: 0, topics: {} };
    const at = new Date();
    await this.actions.bulkWrite(
      chosen.map((r) => ({
        updateOne: {
          filter: { _id: idOf(r) },
          update: { $set: this.actionFields(r, 'redriven', 'sending', reason, principal, at) },
          upsert: true,
        },
      })),
      { ordered: true },
    );
    // Dead-letter order is each key's original order (one key, one dead-letter partition).
    const byTopic = new Map<string, DeadLetterRecord[]>();
    for (const r of chosen) byTopic.set(r.originalTopic, [...(byTopic.get(r.originalTopic) ?? []), r]);
    const counts: Record<string, number> = {};
    const opened = await this.openSealed(chosen);
    for (const [topic, letters] of byTopic) {
      // A letter whose key an erasure destroyed is gone: nothing is sent for it.
      const readable = letters.filter((l) => opened.get(l) !== 'erased');
      await this.publisher.publishRaw(
        topic,
        readable.map((l) => {
          const value = opened.get(l);
          if (!(value instanceof Buffer)) return redriveMessage(this.topic, l);
          const headers = { ...l.headers };
          delete headers[sealedDeadLetterHeader];
          return redriveMessage(this.topic, { ...l, value, headers });
        }),
      );
      counts[topic] = readable.length;
    }
    await this.actions.updateMany({ _id: { $in: chosen.map(idOf) } }, { $set: { state: 'done' } });
    this.logger.warn(
      { deadLetterTopic: this.topic, redriven: chosen.length, topics: counts, by: principal.subject, client: principal.client, reason },
      'dead letters re-driven',
    );
    return { redriven: chosen.length, topics: counts };
  }

  /** The original values of letters sealed when they were dead-lettered; 'erased' when their key was destroyed. */
  private async openSealed(letters: DeadLetterRecord[]): Promise<Map<DeadLetterRecord, Buffer | 'erased'>> {
    const opened = new Map<DeadLetterRecord, Buffer | 'erased'>();
    const kids = new Map<DeadLetterRecord, string>();
    for (const letter of letters) {
      const kid = sealedDeadLetterKeyId(letter.value);
      if (kid !== undefined) kids.set(letter, kid);
    }
    if (kids.size === 0) return opened;
    if (!this.dataKeys) throw new TransientError('sealed dead letters but no data key source (DATA_SEALING)');
    const keys = await this.dataKeys.byIds([...new Set(kids.values())]);
    for (const [letter, kid] of kids) {
      const key = keys.get(kid);
      opened.set(letter, key && letter.value ? openDeadLetter(letter.value, key) : 'erased');
    }
    return opened;
  }

  async discard(
    letters: Array<{ partition: number; offset: string }>,
    reason: string,
    principal: Principal,
  ): Promise<{ discarded: number }> {
    const records = await readDeadLetters(this.kafka, this.topic);
    const actions = await this.actionsOf(records);
    const chosen = this.select(records, actions, letters);
    const at = new Date();
    await this.actions.bulkWrite(
      chosen.map((r) => ({
        updateOne: {
          filter: { _id: idOf(r) },
          update: { $set: this.actionFields(r, 'discarded', 'done', reason, principal, at) },
          upsert: true,
        },
      })),
      { ordered: true },
    );
    this.logger.warn(
      {
        deadLetterTopic: this.topic,
        discarded: chosen.length,
        letters: chosen.map(idOf),
        by: principal.subject,
        client: principal.client,
        reason,
      },
      'dead letters discarded',
    );
    return { discarded: chosen.length };
  }

  private select(
    records: DeadLetterRecord[],
    actions: Map<string, DeadLetterAction>,
    refs: Array<{ partition: number; offset: string }>,
  ): DeadLetterRecord[] {
    const byId = new Map(records.map((r) => [idOf(r), r]));
    const missing = refs.filter((ref) => !byId.has(idOf(ref))).map(idOf);
    if (missing.length > 0) throw problem(404, 'not_found', `no dead letter ${missing.join(', ')} on ${this.topic}`);
    const handled = refs.filter((ref) => actions.get(idOf(ref))?.state === 'done').map(idOf);
    if (handled.length > 0) throw problem(409, 'already_handled', `dead letters already re-driven or discarded: ${handled.join(', ')}`);
    const wanted = new Set(refs.map(idOf));
    return records.filter((r) => wanted.has(idOf(r)));
  }

  private actionFields(
    r: DeadLetterRecord,
    action: DeadLetterAction['action'],
    state: DeadLetterAction['state'],
    reason: string,
    principal: Principal,
    at: Date,
  ): Omit<DeadLetterAction, '_id'> {
    return {
      action,
      state,
      dlqTopic: this.topic,
      originalTopic: r.originalTopic,
      ...(r.originalPartition !== null ? { originalPartition: r.originalPartition } : {}),
      ...(r.originalOffset !== null ? { originalOffset: r.originalOffset } : {}),
      reason,
      by: principal.subject,
      client: principal.client,
      at,
    };
  }

  private async actionsOf(records: DeadLetterRecord[]): Promise<Map<string, DeadLetterAction>> {
    if (records.length === 0) return new Map();
    const found = await this.actions.find({ _id: { $in: records.map(idOf) } }).lean<DeadLetterAction[]>();
    return new Map(found.map((a) => [a._id, a]));
  }

  private summary(r: DeadLetterRecord, action: DeadLetterAction | undefined): DeadLetterSummary {
    const status: DeadLetterStatus = action?.state === 'done' ? action.action : 'pending';
    return {
      partition: r.partition,
      offset: r.offset,
      key: r.key,
      originalTopic: r.originalTopic,
      originalPartition: r.originalPartition,
      originalOffset: r.originalOffset,
      reason: r.reason,
      error: r.error,
      attempts: r.attempts,
      failedAt: r.failedAt,
      eventId: r.headers['ce_id'] ?? null,
      eventType: r.headers['ce_type'] ?? null,
      status,
      ...(action
        ? {
            action: {
              action: action.action,
              state: action.state,
              by: action.by,
              client: action.client,
              reason: action.reason,
              at: new Date(action.at).toISOString(),
            },
          }
        : {}),
    };
  }
}

function principalOf(request: RequestWithPrincipal): Principal {
  if (!request.principal) throw problem(401, 'unauthenticated', 'no principal');
  return request.principal;
}

/** The operator API of this service's dead letters. */
@Controller('admin/v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly operations: DeadLetterOperations) {}

  @Get()
  @RequireScope(SCOPES.deadLettersRead)
  list(@Query() query: unknown): Promise<{ topic: string; letters: DeadLetterSummary[] }> {
    const { status, limit } = parseBody(deadLetterListSchema, query);
    return this.operations.list(status, limit);
  }

  @Get(':partition/:offset')
  @RequireScope(SCOPES.deadLettersRead)
  inspect(@Param('partition') partition: string, @Param('offset') offset: string): Promise<unknown> {
    const ref = parseBody(deadLetterRef, { partition: Number(partition), offset });
    return this.operations.inspect(ref.partition, ref.offset);
  }

  @Post('redrive')
  @HttpCode(200)
  @RequireScope(SCOPES.deadLettersWrite)
  redrive(@Body() body: unknown, @Req() request: RequestWithPrincipal): Promise<{ redriven: number; topics: Record<string, number> }> {
    const input = parseBody(redriveSchema, body);
    return this.operations.redrive('all' in input ? { all: true } : { letters: input.letters }, input.reason, principalOf(request));
  }

  @Post('discard')
  @HttpCode(200)
  @RequireScope(SCOPES.deadLettersWrite)
  discard(@Body() body: unknown, @Req() request: RequestWithPrincipal): Promise<{ discarded: number }> {
    const input = parseBody(discardSchema, body);
    return this.operations.discard(input.letters, input.reason, principalOf(request));
  }
}

@Module({})
export class DeadLettersModule {
  static register(groupId: string): DynamicModule {
    return {
      module: DeadLettersModule,
      imports: [MongooseModule.forFeature([{ name: DeadLetterAction.name, schema: DeadLetterActionSchema }])],
      providers: [{ provide: DEAD_LETTER_GROUP, useValue: groupId }, DeadLetterOperations],
      controllers: [DeadLettersController],
      exports: [DeadLetterOperations],
    };
  }
}

/** The dead-letter operations' routes, in every service's OpenAPI document (startService adds them). */
export const DEAD_LETTER_OPERATIONS: readonly ApiOperation[] = [
  {
    route: 'GET /admin/v1/dead-letters',
    operationId: 'listDeadLetters',
    summary: "This service's dead letters (its consumer group's), newest first, with their reasons and what was done with them.",
    scope: SCOPES.deadLettersRead,
    query: deadLetterListSchema,
    success: {
      description: 'The dead-letter topic and its letters.',
      schema: {
        type: 'object',
        required: ['topic', 'letters'],
        properties: { topic: { type: 'string' }, letters: { type: 'array', items: { type: 'object' } } },
      },
    },
  },
  {
    route: 'GET /admin/v1/dead-letters/:partition/:offset',
    operationId: 'inspectDeadLetter',
    summary: 'One dead letter with its payload and headers.',
    scope: SCOPES.deadLettersRead,
    errors: { '400': 'A partition or offset that is not a number.', '404': 'No letter there.' },
  },
  {
    route: 'POST /admin/v1/dead-letters/redrive',
    operationId: 'redriveDeadLetters',
    summary: 'Sends letters (or all pending ones) back to their original topics; recorded with who asked and why.',
    scope: SCOPES.deadLettersWrite,
    body: redriveSchema,
    errors: {
      '404': 'A letter named is not on the topic.',
      '409': 'A letter named was re-driven or discarded already.',
      '422': 'A letter names an origin that is not a topic of this deployment.',
    },
    success: {
      description: 'How many were re-driven, per topic.',
      schema: {
        type: 'object',
        required: ['redriven', 'topics'],
        properties: { redriven: { type: 'integer' }, topics: { type: 'object', additionalProperties: { type: 'integer' } } },
      },
    },
  },
  {
    route: 'POST /admin/v1/dead-letters/discard',
    operationId: 'discardDeadLetters',
    summary: 'Marks letters as discarded (they stay on the topic until retention); recorded with who asked and why.',
    scope: SCOPES.deadLettersWrite,
    body: discardSchema,
    errors: { '404': 'A letter named is not on the topic.', '409': 'A letter named was re-driven or discarded already.' },
    success: {
      description: 'How many were discarded.',
      schema: { type: 'object', required: ['discarded'], properties: { discarded: { type: 'integer' } } },
    },
  },
];
