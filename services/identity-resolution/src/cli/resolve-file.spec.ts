import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRecordError, parseRecordLine, resolveStream } from './resolve-file';
import { loadFebrl } from './truth-sets';

async function* linesOf(records: readonly unknown[]): AsyncIterable<string> {
  for (const record of records) yield typeof record === 'string' ? record : JSON.stringify(record);
}

describe('resolve-file', () => {
  it('names the line and the field of a bad record', () => {
    expect(() => parseRecordLine('{', 3)).toThrow(InvalidRecordError);
    expect(() => parseRecordLine('{"traits":{}}', 7)).toThrow(/line 7: recordId/u);
    expect(parseRecordLine('{"recordId":"r1","traits":{"lastName":"Lee"},"identifiers":{"email":"a@b.org"}}', 1)).toMatchObject({
      recordId: 'r1',
      identifiers: { email: 'a@b.org' },
    });
  });

  it('puts records of one person together, in file order, with identifiers and traits', async () => {
    const jane = {
      firstName: 'Jane',
      lastName: 'Zielinski',
      birthday: '1984-03-07',
      address: { street: '12 Wattle Street', city: 'Carlton', postalCode: '3053', state: 'VIC' },
    };
    const answers = await resolveStream(
      linesOf([
        { recordId: 'a', traits: jane },
        { recordId: 'b', traits: { ...jane, firstName: 'Jane', birthday: '07/03/1984' } },
        {
          recordId: 'c',
          traits: { firstName: 'Omar', lastName: 'Haddad', birthday: '1950-11-30' },
          identifiers: { email: 'omar@mail.org' },
        },
        { recordId: 'd', traits: {}, identifiers: { email: 'Omar@Mail.org' } },
        '',
      ]),
    );
    const customer = new Map(answers.map((a) => [a.recordId, a.customerId]));
    expect(answers.map((a) => a.recordId)).toEqual(['a', 'b', 'c', 'd']);
    expect(customer.get('b')).toBe(customer.get('a'));
    expect(customer.get('d')).toBe(customer.get('c'));
    expect(customer.get('c')).not.toBe(customer.get('a'));
  });

  it('refuses a record id given twice', async () => {
    await expect(
      resolveStream(
        linesOf([
          { recordId: 'a', traits: {} },
          { recordId: 'a', traits: {} },
        ]),
      ),
    ).rejects.toThrow(/line 2: recordId: a appears twice/u);
  });

  it('reads a FEBRL file with its truth, the national id only when asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'febrl-'));
    const file = join(dir, 'sample.csv');
    writeFileSync(
      file,
      [
        'rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id',
        'rec-1-org, jordan, lavis, 12, ranken place, rosebery hill, piggabeen, 0870, nsw, 19640314, 1234567',
        'rec-1-dup-0, lavis, henry, 12, rankeo place, rosebery hill, piggabgen, 0870, nsw, 19640314, 1234576',
        'rec-2-org, , waller, , , , st james, 4011, wa, , ',
      ].join('\n'),
    );
    const plain = loadFebrl(file, { withNationalId: false });
    expect(plain.records).toHaveLength(3);
    expect(plain.truth.get('rec-1-dup-0')).toBe(plain.truth.get('rec-1-org'));
    expect(plain.records[0]).toMatchObject({
      recordId: 'rec-1-org',
      traits: {
        firstName: 'jordan',
        birthday: '19640314',
        address: { street: '12 ranken place', line2: 'rosebery hill', postalCode: '0870' },
      },
    });
    expect(plain.records[0]?.identifiers).toBeUndefined();
    expect(plain.records[2]?.traits).toEqual({
      lastName: 'waller',
      address: { city: 'st james', postalCode: '4011', state: 'wa', country: 'AU' },
    });
    expect(loadFebrl(file, { withNationalId: true }).records[1]?.identifiers).toEqual({ nationalId: '1234576' });
  });
});
