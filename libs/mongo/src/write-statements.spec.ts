import { mongo } from 'mongoose';
import { writeStatementsOf } from './write-statements';

describe('writeStatementsOf', () => {
  const docs = [
    { _id: 'a', name: 'Ada', tags: ['x', 'y'] },
    { _id: 'b', name: 'Grace', n: 42 },
  ];

  it('counts the documents of an insert and their BSON size as the wire carries them', () => {
    const written = writeStatementsOf('insert', { insert: 'people', documents: docs, ordered: false, lsid: { id: 'session' } });
    // The array travels as a BSON document keyed "0", "1": its serialised length is the figure.
    expect(written).toEqual({ statements: 2, bytes: mongo.BSON.serialize({ 0: docs[0], 1: docs[1] }).length });
  });

  it('counts update and delete statements, filters and updates included', () => {
    const updates = [{ q: { _id: 'a' }, u: { $set: { name: 'Ada L.' } }, upsert: true }];
    const update = writeStatementsOf('update', { update: 'people', updates });
    expect(update?.statements).toBe(1);
    expect(update?.bytes).toBe(mongo.BSON.serialize({ 0: updates[0] }).length);
    const deletes = [
      { q: { _id: 'a' }, limit: 1 },
      { q: { _id: 'b' }, limit: 1 },
      { q: { _id: 'c' }, limit: 1 },
    ];
    expect(writeStatementsOf('delete', { delete: 'people', deletes })?.statements).toBe(3);
  });

  it('grows with what is written, not with the command envelope', () => {
    const small = writeStatementsOf('insert', { insert: 'people', documents: [{ _id: 'a' }] });
    const large = writeStatementsOf('insert', { insert: 'people', documents: [{ _id: 'a', text: 'x'.repeat(1000) }] });
    const enveloped = writeStatementsOf('insert', {
      insert: 'people',
      documents: [{ _id: 'a' }],
      writeConcern: { w: 'majority' },
      $db: 'platform',
    });
    expect((large?.bytes ?? 0) - (small?.bytes ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(enveloped?.bytes).toBe(small?.bytes);
  });

  it('counts a findAndModify as one statement of its query and update', () => {
    const written = writeStatementsOf('findAndModify', {
      findAndModify: 'people',
      query: { _id: 'a' },
      update: { $inc: { n: 1 } },
      new: true,
    });
    expect(written?.statements).toBe(1);
    expect(written?.bytes).toBe(mongo.BSON.serialize({ query: { _id: 'a' }, update: { $inc: { n: 1 } } }).length);
  });

  it('reports nothing for reads and administrative commands, or a malformed write', () => {
    expect(writeStatementsOf('find', { find: 'people', filter: { _id: 'a' } })).toBeUndefined();
    expect(writeStatementsOf('ping', { ping: 1 })).toBeUndefined();
    expect(writeStatementsOf('insert', { insert: 'people' })).toBeUndefined();
  });
});
