import type { StartedTestContainer } from 'testcontainers';
import type { ServerUrls } from './servers';

/** True when a Docker (or compatible) engine answers; never throws. */
export async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const probe = getContainerRuntimeClient().then(() => true);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10000).unref());
    return await Promise.race([probe, timeout]);
  } catch {
    return false;
  }
}

/** Real Kafka (KRaft), MongoDB and Redis in containers. */
export async function startContainers(): Promise<{ urls: ServerUrls; containers: StartedTestContainer[] }> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { MongoDBContainer } = await import('@testcontainers/mongodb');
  const { RedisContainer } = await import('@testcontainers/redis');
  const [kafka, mongo, redis] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start(),
    new MongoDBContainer('mongo:7').start(),
    new RedisContainer('redis:7').start(),
  ]);
  return {
    urls: {
      KAFKA_BROKERS: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
      MONGO_URL: `${mongo.getConnectionString()}?directConnection=true`,
      REDIS_URL: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    },
    containers: [kafka, mongo, redis],
  };
}
