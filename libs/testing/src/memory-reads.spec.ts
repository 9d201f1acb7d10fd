import { readCopies } from './memory-reads';

describe('readCopies', () => {
  it('answers the ids it holds with copies, and leaves out the others', async () => {
    const docs = new Map([
      ['a', { _id: 'a', tags: ['x'] }],
      ['b', { _id: 'b', tags: [] as string[] }],
    ]);
    const read = await readCopies(docs)(['a', 'missing']);
    expect([...read.keys()]).toEqual(['a']);
    expect(read.get('a')).toEqual({ _id: 'a', tags: ['x'] });
    read.get('a')?.tags.push('changed');
    expect(docs.get('a')?.tags).toEqual(['x']);
  });
});
