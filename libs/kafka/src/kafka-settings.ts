/** Connection and behaviour settings of the Kafka client, taken from the service config. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name (tests, tenants). */
  topicPrefix: string;
  /** Partitions and replication of topics the service creates at boot. */
  topicPartitions: number;
  replicationFactor: number;
}
