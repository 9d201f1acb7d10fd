import { Collection, Db, MongoClient, ObjectId } from 'mongodb';
import { assertTestDatabase, uniqueId } from '../src';

/**
 * The services address their projections by `_id` (conditional updates, `$in` loads, upserts).
 * The local MongoDB-compatible server is FerretDB with patches that push equality and `$in`
 * conditions down to SQLite (deploy/local/ferretdb/patches); this checks that such queries keep
 * MongoDB's semantics on whichever server the tests run against: the other conditions still
 * apply, other types and arrays still match, nothing is lost or matched twice; and that
 * concurrent writes to one document are each applied (MongoDB's single-document atomicity, which
 * FerretDB's SQLite backend only keeps with patch 0003).
 */
interface Doc {
  _id: string | number | ObjectId | { x: number };
  n: number;
  tag?: string | string[] | number | { inner: string };
}

describe('MongoDB query semantics the services rely on', () => {
  let client: MongoClient;
  let db: Db;
  let col: Collection<Doc>;
  const oid = new ObjectId();

  const ids = async (filter: Parameters<Collection<Doc>['find']>[0]) =>
    (await col.find(filter).toArray()).map((d) => JSON.stringify(d._id)).sort();

  beforeAll(async () => {
    const name = `test_${uniqueId()}_semantics`;
    assertTestDatabase(name);
    client = await MongoClient.connect(process.env['MONGO_URL'] ?? '');
    db = client.db(name);
    col = db.collection<Doc>('docs');
  });

  beforeEach(async () => {
    await col.deleteMany({});
    await col.insertMany([
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
      { _id: 7, n: 3 },
      { _id: oid, n: 4 },
      { _id: { x: 1 }, n: 5 },
    ]);
  });

  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
  });

  it('finds by _id together with other conditions, $eq and $in', async () => {
    expect(await ids({ _id: 'a' })).toEqual(['"a"']);
    expect(await ids({ _id: 'a', n: 2 })).toEqual([]);
    expect(await ids({ _id: 'b', n: { $gt: 1 } })).toEqual(['"b"']);
    expect(await ids({ _id: { $eq: 'b' } })).toEqual(['"b"']);
    expect(await ids({ _id: { $in: ['a', 'b', 'missing'] } })).toEqual(['"a"', '"b"']);
    expect(await ids({ _id: { $in: ['a', 'b'] }, n: 2 })).toEqual(['"b"']);
    expect(await ids({ _id: { $in: [] } })).toEqual([]);
  });

  it('still matches _id values of other types', async () => {
    expect(await ids({ _id: { $in: ['a', 7] } })).toEqual(['"a"', '7']);
    expect(await ids({ _id: { $in: [oid, 'b'] } })).toEqual([JSON.stringify(oid), '"b"'].sort());
    expect(await ids({ _id: 7 })).toEqual(['7']);
    expect(await ids({ _id: { x: 1 } })).toEqual(['{"x":1}']);
    expect(await ids({ _id: { $gt: 'a' } })).toEqual(['"b"']);
  });

  it('finds string _id values with characters that JSON escapes', async () => {
    const awkward = ['a&b<c>', 'é✓ü', 'q"uote\\back', 'tab\tnl\n', '\u2028x', 'emoji😀'];
    await col.insertMany(awkward.map((id) => ({ _id: id, n: 1 })));
    for (const id of awkward) {
      expect(await ids({ _id: id, n: 1 })).toEqual([JSON.stringify(id)]);
      expect(await ids({ _id: { $in: [id, 'a'] } })).toEqual([JSON.stringify(id), '"a"'].sort());
      expect((await col.updateOne({ _id: id }, { $inc: { n: 1 } })).modifiedCount).toBe(1);
    }
  });

  it('matches other fields by equality and $in, arrays that contain the value included', async () => {
    await col.insertMany([
      { _id: 'scalar', n: 1, tag: 'red' },
      { _id: 'array', n: 1, tag: ['blue', 'red'] },
      { _id: 'other', n: 1, tag: 'green' },
      { _id: 'number', n: 1, tag: 5 },
      { _id: 'nested', n: 1, tag: { inner: 'red' } },
    ]);
    expect(await ids({ tag: 'red' })).toEqual(['"array"', '"scalar"']);
    expect(await ids({ tag: { $eq: 'blue' } })).toEqual(['"array"']);
    expect(await ids({ tag: { $in: ['green', 'blue'] } })).toEqual(['"array"', '"other"']);
    expect(await ids({ tag: { $in: ['red', 5] } })).toEqual(['"array"', '"number"', '"scalar"']);
    expect(await ids({ tag: 'red', _id: { $in: ['array', 'other'] } })).toEqual(['"array"']);
    expect(await ids({ 'tag.inner': 'red' })).toEqual(['"nested"']);
    expect(await ids({ tag: { $in: [{ inner: 'red' }] } })).toEqual(['"nested"']);
    expect(await ids({ tag: 'absent' })).toEqual([]);
    expect((await col.updateMany({ tag: 'red' }, { $set: { n: 2 } })).modifiedCount).toBe(2);
    expect((await col.deleteMany({ tag: { $in: ['green'] } })).deletedCount).toBe(1);
  });

  it('applies conditional updates once, and updates, deletes and counts by $in', async () => {
    expect((await col.updateOne({ _id: 'a', n: 1 }, { $inc: { n: 10 } })).modifiedCount).toBe(1);
    expect((await col.updateOne({ _id: 'a', n: 1 }, { $inc: { n: 10 } })).modifiedCount).toBe(0);
    expect((await col.updateMany({ _id: { $in: ['a', 'b'] } }, { $set: { tag: 't' } })).modifiedCount).toBe(2);
    expect((await col.deleteMany({ _id: { $in: ['b', 7] }, n: 2 })).deletedCount).toBe(1);
    expect(await col.countDocuments({ _id: { $in: ['a', 'b', 7] } })).toBe(2);
    const after = await col.findOneAndUpdate({ _id: 'a', n: 11 }, { $set: { tag: 'u' } }, { returnDocument: 'after' });
    expect(after?.tag).toBe('u');
  });

  it('upserts in a bulk write and keeps _id unique', async () => {
    const result = await col.bulkWrite([
      { updateOne: { filter: { _id: 'new' }, update: { $set: { n: 9 } }, upsert: true } },
      { updateOne: { filter: { _id: 'a', n: 1 }, update: { $set: { n: 9 } }, upsert: false } },
    ]);
    expect(result.upsertedCount).toBe(1);
    expect(result.modifiedCount).toBe(1);
    await expect(col.insertOne({ _id: 'a', n: 0 })).rejects.toThrow(/E11000|duplicate/i);
    const matched = await col.aggregate<Doc>([{ $match: { _id: { $in: ['a', 'new'] } } }, { $sort: { _id: 1 } }]).toArray();
    expect(matched.map((d) => [d._id, d.n])).toEqual([
      ['a', 9],
      ['new', 9],
    ]);
  });
  it('applies every one of many concurrent writes to one document', async () => {
    const counters = db.collection<{ _id: string; count?: number; acks?: Record<string, number> }>('concurrent');
    const rounds = 20;
    const writers = 6;
    for (let round = 0; round < rounds; round += 1) await counters.insertOne({ _id: `d${round}`, acks: {} });
    await Promise.all(
      Array.from({ length: rounds * writers }, (_, i) => {
        const _id = `d${i % rounds}`;
        const writer = Math.floor(i / rounds);
        // Three kinds of write the services make: $set of one field, $inc, and findOneAndUpdate.
        return writer % 2 === 0
          ? counters.updateOne({ _id }, { $set: { [`acks.w${writer}`]: writer }, $inc: { count: 1 } })
          : counters.findOneAndUpdate({ _id }, { $set: { [`acks.w${writer}`]: writer }, $inc: { count: 1 } });
      }),
    );
    const stored = await counters.find({}).sort({ _id: 1 }).toArray();
    expect(stored).toHaveLength(rounds);
    for (const doc of stored) {
      expect(doc.count).toBe(writers);
      expect(Object.keys(doc.acks ?? {}).sort()).toEqual(Array.from({ length: writers }, (_, w) => `w${w}`));
    }
  });
});
