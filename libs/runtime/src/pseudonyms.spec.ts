import { createHmac } from 'node:crypto';
import { Pseudonyms } from './pseudonyms';

const hmac = (key: string, id: string) => createHmac('sha256', key).update(id, 'utf8').digest('hex');

describe('Pseudonyms', () => {
  it('are the HMAC-SHA256 of the customer id under the key, kept or not', () => {
    const pseudonyms = new Pseudonyms('key-1', 2);
    const ids = ['c-1', 'c-2', 'c-3', 'c-1', 'c-2', 'c-3', 'c-1'];
    // Three ids through a memory of two: some answers come from it, some are computed again.
    expect(ids.map((id) => pseudonyms.of(id))).toEqual(ids.map((id) => hmac('key-1', id)));
  });

  it('differ between keys and between ids', () => {
    const a = new Pseudonyms('key-1');
    const b = new Pseudonyms('key-2');
    expect(a.of('c-1')).not.toBe(b.of('c-1'));
    expect(a.of('c-1')).not.toBe(a.of('c-2'));
    expect(b.of('c-1')).toBe(hmac('key-2', 'c-1'));
  });
});
