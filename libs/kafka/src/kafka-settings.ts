/** Connection and behaviour settings of the Kafka client, taken from the service config. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name (tests, tenants). */
  topicPrefix: string;
  /** Partitions and replication of topics the service creates at boot. */
  topicPartitions: number;
  replicationFactor: number;
  /** TLS to the brokers: true for the system's CAs, or the options (own CA, client certificate). */
  ssl?: boolean | { ca?: string[]; rejectUnauthorized?: boolean };
  /** SASL authentication (SCRAM-SHA-256/512 or PLAIN; use PLAIN only over TLS). */
  sasl?: { mechanism: 'scram-sha-256' | 'scram-sha-512' | 'plain'; username: string; password: string };
}
