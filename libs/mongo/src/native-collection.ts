import type { Connection, mongo } from 'mongoose';

/**
 * A collection of the service's database as the driver's own `Collection` (bulk writes and
 * projections without mongoose's casting), from the connection MongooseModule opened: throws
 * while that connection is not open.
 */
export function nativeCollection<T extends mongo.Document>(connection: Connection, name: string): mongo.Collection<T> {
  const db = connection.db;
  if (!db) throw new Error('MongoDB connection is not open');
  return db.collection<T>(name);
}

/** The driver's own `Collection` behind a mongoose model (same database, same collection name). */
export function nativeCollectionOf<T extends mongo.Document>(model: {
  db: Connection;
  collection: { collectionName: string };
}): mongo.Collection<T> {
  return nativeCollection<T>(model.db, model.collection.collectionName);
}
