import { transactionalIdOf } from './event-log.publisher';

describe('transactionalIdOf', () => {
  const config = { INGESTION_TRANSACTIONAL_ID: undefined, KAFKA_TOPIC_PREFIX: 'run1.', HTTP_PORT: 3000 };

  it('is the same for a restart of the same instance, so the new process fences the dead one', () => {
    expect(transactionalIdOf(config, 'host-a', 0)).toBe(transactionalIdOf({ ...config }, 'host-a', 0));
    expect(transactionalIdOf(config, 'host-a', 0)).toBe('run1.ingestion:host-a:3000');
  });

  it('differs between instances: another host, port, topic prefix or a second instance in the process', () => {
    const ids = [
      transactionalIdOf(config, 'host-a', 0),
      transactionalIdOf(config, 'host-b', 0),
      transactionalIdOf({ ...config, HTTP_PORT: 3010 }, 'host-a', 0),
      transactionalIdOf({ ...config, KAFKA_TOPIC_PREFIX: 'run2.' }, 'host-a', 0),
      transactionalIdOf(config, 'host-a', 1),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses the configured id, ranked the same way', () => {
    const configured = { ...config, INGESTION_TRANSACTIONAL_ID: 'ingestion-pod-7' };
    expect(transactionalIdOf(configured, 'host-a', 0)).toBe('ingestion-pod-7');
    expect(transactionalIdOf(configured, 'host-a', 1)).toBe('ingestion-pod-7:1');
  });
});
