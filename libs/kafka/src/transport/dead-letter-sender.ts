import { Message } from 'kafkajs';
import { deadLetterHeaders, TopicDefinition } from '@o2o/contracts';
import { Logger, PlatformMetrics } from '@o2o/observability';
import {
  DataKeySource,
  keySubject,
  sealDeadLetter,
  sealedDeadLetterHeader,
  sealedDeadLetterKeyId,
  sealedKeyId,
  subjectKindOf,
} from '../data-keys';
import { KafkaPublisher } from '../publisher';
import { TopicNames } from '../topic-names';
import { headerSubject, parseJsonValue } from './message-decoder';
import { DeadLetter } from './partition-batch';

export interface DeadLetterSenderOptions {
  publisher: Pick<KafkaPublisher, 'publishRaw'>;
  names: TopicNames;
  /** The consumer group (without the prefix): names the dead-letter topic and goes in a header. */
  groupId: string;
  dataKeys?: DataKeySource | undefined;
  metrics: Pick<PlatformMetrics, 'deadLettered'>;
  logger: Logger;
  topicByName: ReadonlyMap<string, TopicDefinition>;
}

/** The dead-letter record of a message: its key and value (`value`, sealed or not) with its origin and error in headers. */
export function deadLetterMessage(
  letter: DeadLetter,
  value: Buffer | null,
  where: { clusterTopic: string; groupId: string; failedAt: string },
): Message {
  return {
    key: letter.message.key,
    value,
    headers: {
      ...letter.message.headers,
      ...(value !== letter.message.value ? { [sealedDeadLetterHeader]: 'true' } : {}),
      [deadLetterHeaders.originalTopic]: where.clusterTopic,
      [deadLetterHeaders.originalPartition]: String(letter.partition),
      [deadLetterHeaders.originalOffset]: letter.message.offset,
      [deadLetterHeaders.originalTimestamp]: letter.message.timestamp,
      [deadLetterHeaders.consumerGroup]: where.groupId,
      [deadLetterHeaders.reason]: letter.reason,
      [deadLetterHeaders.error]: letter.error.slice(0, 4000),
      [deadLetterHeaders.attempts]: String(letter.attempts),
      [deadLetterHeaders.failedAt]: where.failedAt,
    },
  };
}

/** Dead letters: sealed where their value is personal data in clear, published to the group's dead-letter topic, counted and logged. */
export class DeadLetterSender {
  constructor(private readonly options: DeadLetterSenderOptions) {}

  async send(clusterTopic: string, letters: readonly DeadLetter[], contractName: string): Promise<void> {
    const { names, groupId, publisher, metrics, logger } = this.options;
    const where = { clusterTopic, groupId, failedAt: new Date().toISOString() };
    const sealed = await this.seal(clusterTopic, letters);
    const messages = letters.map((letter) => deadLetterMessage(letter, sealed.get(letter) ?? letter.message.value, where));
    await publisher.publishRaw(names.deadLetter(groupId), messages);
    for (const letter of letters) {
      metrics.deadLettered.inc({ topic: contractName, reason: letter.reason });
      logger.warn(
        { topic: clusterTopic, partition: letter.partition, offset: letter.message.offset, reason: letter.reason, error: letter.error },
        'message dead-lettered',
      );
    }
  }

  /**
   * Dead-letter topics are event logs too: a value not already sealed (a raw intake message, a
   * value that did not decode, an event of an unsealed topic) is sealed under the key of its
   * subject (the ce_subject header, else the message key), so an erasure reaches it.
   */
  async seal(originalTopic: string, letters: readonly DeadLetter[]): Promise<Map<DeadLetter, Buffer | null>> {
    const values = new Map<DeadLetter, Buffer | null>();
    const source = this.options.dataKeys;
    const kind = subjectKindOf(this.options.topicByName.get(this.options.names.contractName(originalTopic) ?? ''));
    const subjects = new Map<DeadLetter, string>();
    for (const letter of letters) {
      values.set(letter, letter.message.value);
      const value = letter.message.value;
      if (!source || !value || value.length === 0 || sealedDeadLetterKeyId(value) !== undefined) continue;
      if (sealedKeyId(parseJsonValue(value)) !== undefined) continue;
      const subject = headerSubject(letter.message);
      if (subject) subjects.set(letter, keySubject(kind, subject));
    }
    if (!source || subjects.size === 0) return values;
    const keys = await source.forSubjects([...new Set(subjects.values())]);
    for (const [letter, subject] of subjects) {
      const key = keys.get(subject);
      const value = letter.message.value;
      if (key && value) values.set(letter, sealDeadLetter(value, key));
    }
    return values;
  }
}
