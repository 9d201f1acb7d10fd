import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSNonRetriableError,
} from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient, MongoNetworkError, MongoNetworkTimeoutError, MongoServerError, MongoNotConnectedError } from 'mongodb';
import Redis, { ReplyError } from 'ioredis';
import { Error as MongooseError } from 'mongoose';
import { isTransientFailure, TransientError } from './failure-kind';
import { ContractViolationError } from './publisher';

const systemError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:27017`), { code, syscall: 'connect' });
const protocolError = (type: string, code: number, retriable: boolean) =>
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable }));

describe('isTransientFailure', () => {
  it.each([
    ['MongoDB connection dropped', new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
    ['MongoDB socket timeout', new MongoNetworkTimeoutError('connection timed out')],
    ['MongoDB client closed', new MongoNotConnectedError('Client must be connected before running operations')],
    ['MongoDB not primary', new MongoServerError({ code: 10107, codeName: 'NotWritablePrimary', errmsg: 'not primary' })],
    ['MongoDB shutting down', new MongoServerError({ code: 91, codeName: 'ShutdownInProgress', errmsg: 'shutdown in progress' })],
    [
      'MongoDB max time exceeded',
      new MongoServerError({ code: 50, codeName: 'MaxTimeMSExpired', errmsg: 'operation exceeded time limit' }),
    ],
    ['mongoose buffering while disconnected', new MongooseError('Operation `customers.find()` buffering timed out after 10000ms')],
    ['Kafka unreachable', new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')],
    [
      'Kafka retries exhausted on a connection error',
      new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), {
        retryCount: 5,
        retryTime: 3000,
      }),
    ],
    ['Kafka request timeout', new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out')],
    ['Kafka leader moved', protocolError('NOT_LEADER_FOR_PARTITION', 6, true)],
    ['Redis connection closed (ioredis)', new Error('Connection is closed.')],
    ['Redis loading its data set', new ReplyError('LOADING Redis is loading the dataset in memory')],
    ['socket refused', systemError('ECONNREFUSED')],
    ['socket reset', systemError('ECONNRESET')],
    ['a handler saying so', new TransientError('lock not available')],
    ['wrapped in a cause', new Error('store failed', { cause: new MongoNetworkError('connection 4 to 127.0.0.1:27017 closed') })],
    ['one of several', new AggregateError([new Error('other'), systemError('ETIMEDOUT')], 'several failed')],
  ])('%s is transient', (_, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  it.each([
    ['a plain error of the handler', new Error('cannot process c-1')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'customerId')")],
    ['duplicate key', new MongoServerError({ code: 11000, codeName: 'DuplicateKey', errmsg: 'E11000 duplicate key error' })],
    ['document too large', new MongoServerError({ code: 10334, codeName: 'BSONObjectTooLarge', errmsg: 'object to insert too large' })],
    ['a message Kafka refuses', protocolError('MESSAGE_TOO_LARGE', 10, false)],
    ['a contract violation', new ContractViolationError('identity.events.v1', 'data.customerId: required')],
    ['Kafka non-retriable', new KafkaJSNonRetriableError('Invalid message')],
    ['a Redis reply about the command', new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['nothing at all', undefined],
    ['a string', 'failed'],
  ])('%s is not transient', (_, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });

  it('follows the cause chain without looping on a cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(isTransientFailure(a)).toBe(false);
  });

  // The errors the real clients raise when nothing listens (port 1 on this machine: refused at once).
  it('sees the errors of real MongoDB, Redis and Kafka clients that cannot connect as transient', async () => {
    const mongo = new MongoClient('mongodb://127.0.0.1:1', { serverSelectionTimeoutMS: 200 });
    const mongoError = await mongo
      .db('test_x')
      .collection('c')
      .findOne({})
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await mongo.close();
    expect(mongoError).toMatchObject({ name: 'MongoServerSelectionError' });
    expect(isTransientFailure(mongoError)).toBe(true);

    const redis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: false });
    redis.on('error', () => undefined);
    const redisError = await redis.get('k').then(
      () => undefined,
      (error: unknown) => error,
    );
    redis.disconnect();
    expect(redisError).toBeInstanceOf(Error);
    expect(isTransientFailure(redisError)).toBe(true);

    const producer = new Kafka({
      brokers: ['127.0.0.1:1'],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 200,
    }).producer();
    const kafkaError = await producer.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    await producer.disconnect();
    expect(kafkaError).toMatchObject({ name: expect.stringMatching(/^KafkaJS/) });
    expect(isTransientFailure(kafkaError)).toBe(true);
  });
});
