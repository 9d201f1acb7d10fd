import { TopicDefinition, deadLetterTopicName } from '@o2o/contracts';

/** Maps contract topic names to the names on the cluster (with the deployment prefix). */
export class TopicNames {
  constructor(readonly prefix: string) {}

  of(definition: Pick<TopicDefinition, 'name'>): string {
    return `${this.prefix}${definition.name}`;
  }

  deadLetter(consumerGroup: string): string {
    return `${this.prefix}${deadLetterTopicName(consumerGroup)}`;
  }

  /** Contract name of a cluster topic name, or undefined when it does not carry the prefix. */
  contractName(clusterName: string): string | undefined {
    return clusterName.startsWith(this.prefix) ? clusterName.slice(this.prefix.length) : undefined;
  }
}
