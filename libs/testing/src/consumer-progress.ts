import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { expectEventually } from './expect-eventually';

/**
 * Waits until every one of the consumer groups has committed, on every partition of every topic
 * its members subscribe to, the end offset of that partition, and two such checks in a row saw the
 * same end offsets (so nothing the groups published in reaction is still unconsumed).
 *
 * Services commit a batch only after its effects are stored and published, so from then on a test
 * can assert that something did not happen, without guessing how long to wait.
 */
export async function waitForConsumerGroups(brokers: string[], groupIds: string[], { timeoutMs = 120000 } = {}): Promise<void> {
  const admin = new Kafka({ clientId: 'consumer-progress', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    let previous = '';
    await expectEventually(
      async () => {
        const described = await admin.describeGroups(groupIds);
        const subscriptions = new Map<string, string[]>();
        for (const group of described.groups) {
          if (group.state !== 'Stable' || group.members.length === 0)
            throw new Error(`group ${group.groupId} is ${group.state} with ${group.members.length} members`);
          const topics = new Set<string>();
          for (const member of group.members) {
            const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
            for (const topic of metadata?.topics ?? []) topics.add(topic);
          }
          subscriptions.set(group.groupId, [...topics].sort());
        }
        const allTopics = [...new Set([...subscriptions.values()].flat())].sort();
        const ends = new Map<string, Map<number, number>>();
        for (const topic of allTopics)
          ends.set(topic, new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)])));
        const behind: string[] = [];
        for (const [groupId, topics] of subscriptions) {
          const committed = await admin.fetchOffsets({ groupId, topics });
          for (const { topic, partitions } of committed) {
            const position = new Map(partitions.map((p) => [p.partition, Number(p.offset)]));
            for (const [partition, end] of ends.get(topic) ?? new Map<number, number>()) {
              if (end > 0 && (position.get(partition) ?? -1) < end)
                behind.push(`${groupId} ${topic}[${partition}] at ${position.get(partition) ?? -1} of ${end}`);
            }
          }
        }
        if (behind.length > 0) {
          previous = '';
          throw new Error(`consumer groups behind: ${behind.join('; ')}`);
        }
        const snapshot = JSON.stringify([...ends].map(([topic, partitions]) => [topic, [...partitions]]));
        const stable = snapshot === previous;
        previous = snapshot;
        if (!stable) throw new Error('caught up once; checking that no new messages arrived');
      },
      { timeoutMs, intervalMs: 250 },
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until the consumer group is stable with `members` members and each of them owns at least
 * one partition: the point from which work spread over partitions really runs on every instance.
 */
export async function waitForGroupAssignment(
  brokers: string[],
  groupId: string,
  members: number,
  { timeoutMs = 60000 } = {},
): Promise<void> {
  const admin = new Kafka({ clientId: 'consumer-progress', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await expectEventually(
      async () => {
        const [group] = (await admin.describeGroups([groupId])).groups;
        if (group?.state !== 'Stable') throw new Error(`group ${groupId} is ${group?.state ?? 'unknown'}`);
        const owned = group.members.map((member) =>
          Object.values(AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {}).reduce(
            (sum, partitions) => sum + partitions.length,
            0,
          ),
        );
        if (owned.length !== members || owned.some((count) => count === 0))
          throw new Error(`group ${groupId} has ${owned.length} members owning ${owned.join(', ')} partitions`);
      },
      { timeoutMs, intervalMs: 250 },
    );
  } finally {
    await admin.disconnect();
  }
}
