import { Consumer } from 'kafkajs';

/**
 * How far a consumer has read each partition (`topic/partition` -> the next offset), counting
 * what it never hands out as a message: the commit and abort markers of transactions and the
 * records of aborted ones. A reader of a transactional topic (ingest.events) that compared the
 * last message's offset with the high watermark would wait forever behind the final marker.
 */
export class ReadPositions {
  private readonly next = new Map<string, number>();

  constructor(consumer: Consumer) {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const id = `${payload.topic}/${payload.partition}`;
      const reached = Number(payload.lastOffset) + 1;
      if (Number.isFinite(reached) && reached > (this.next.get(id) ?? 0)) this.next.set(id, reached);
    });
  }

  /** The next offset to read of one partition (0 before anything was read). */
  of(topic: string, partition: number): number {
    return this.next.get(`${topic}/${partition}`) ?? 0;
  }

  /** Offsets read on a topic summed over its partitions: compare with its summed high watermarks. */
  total(topic: string): number {
    let sum = 0;
    for (const [id, offset] of this.next) if (id.slice(0, id.lastIndexOf('/')) === topic) sum += offset;
    return sum;
  }
}
