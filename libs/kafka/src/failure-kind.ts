/**
 * Transient versus poison: whether a failed handler call should wait for the infrastructure to
 * come back (and be retried for as long as that takes) or counts against the message itself
 * (retried a few times, then dead-lettered).
 *
 * Only failures known to come from the infrastructure are transient: a database, cache or broker
 * that is unreachable, timing out, restarting or not primary. Everything else (bad data, a bug,
 * a document too large, a contract violation) is the message's own, so that one message can never
 * stall a partition for an unknown reason that is not an outage.
 */

/** Thrown by handlers (or libraries) to say: the infrastructure failed, retry, do not dead-letter. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

const transientNames = new Set([
  'TransientError',
  // mongodb / mongoose
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  // kafkajs: infrastructure errors it does not mark retriable (it gave up on them)
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSBrokerNotFound',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
  'PublishTimeoutError',
  // ioredis
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
]);

/** MongoDB server codes of a node that is away, stepping down, shutting down or too slow. */
const transientMongoCodes = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 112, 50]);
/** Labels the MongoDB driver puts on errors worth retrying. */
const transientMongoLabels = [
  'RetryableWriteError',
  'ResetPool',
  'TransientTransactionError',
  'NoWritesPerformed',
  'SystemOverloadedError',
];
/** Node's socket-level error codes. */
const transientSystemCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
]);
const transientMessages = [
  /buffering timed out after/i, // mongoose: no connection within bufferTimeoutMS
  /^Connection is closed\.?$/, // ioredis
  /Stream isn't writeable and enableOfflineQueue options is false/, // ioredis
  /^(LOADING|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|BUSY) /, // Redis replies of a server not ready
  /database is locked/i, // FerretDB on SQLite under contention
  /connection (pool )?(was )?(closed|cleared)/i,
];

/** True when the error (or any error it wraps) says that the infrastructure, not the message, failed. */
export function isTransientFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === null || current === undefined || seen.has(current) || typeof current !== 'object') continue;
    seen.add(current);
    if (looksTransient(current)) return true;
    const fields = current as { cause?: unknown; originalError?: unknown; reason?: unknown; errors?: unknown };
    queue.push(fields.cause, fields.originalError, fields.reason);
    if (Array.isArray(fields.errors)) queue.push(...(fields.errors as unknown[]));
  }
  return false;
}

function looksTransient(error: object): boolean {
  const e = error as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    retriable?: unknown;
    errorLabels?: unknown;
    hasErrorLabel?: unknown;
  };
  const name = typeof e.name === 'string' ? e.name : '';
  if (transientNames.has(name)) return true;
  // kafkajs marks protocol errors such as NOT_LEADER_FOR_PARTITION or REQUEST_TIMED_OUT retriable.
  if (name.startsWith('KafkaJS') && e.retriable === true) return true;
  if (name.startsWith('Mongo')) {
    if (typeof e.code === 'number' && transientMongoCodes.has(e.code)) return true;
    if (
      typeof e.hasErrorLabel === 'function' &&
      transientMongoLabels.some((label) => (e.hasErrorLabel as (l: string) => boolean).call(error, label))
    )
      return true;
  }
  if (typeof e.code === 'string' && transientSystemCodes.has(e.code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return transientMessages.some((pattern) => pattern.test(message));
}
