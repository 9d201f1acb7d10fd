import { topics } from '@o2o/contracts';
import type { TypedIdentifier } from '../../../matching/domain';
import { CachedCustomer, LookupCache } from '../../../resolution/application/ports/lookup-cache.port';
import { pseudonym } from '../../domain/pseudonym';
import type { PrivacySettings } from '../../privacy.tokens';
import { ErasedIdentifiers } from '../ports/privacy-records.port';
import { DataKeys, ErasableGraph, ErasedCounts, OwnedIdentifier } from './identity-erasure.ports';
import { IdentityPrivacyParticipant } from './identity-privacy.participant';

const KEY = 'pseudonym-key-for-tests';

/** Every call of every fake, in order: the erasure's order is its correctness. */
const calls: string[] = [];

class Graph implements ErasableGraph {
  erasedWith: { customerIds: string[]; identifierIds: string[] } | undefined;
  constructor(private readonly owned: OwnedIdentifier[]) {}
  async exportData(customerIds: string[]): Promise<Record<string, unknown>> {
    calls.push('exportData');
    return { customers: customerIds };
  }
  async identifiersOwnedBy(): Promise<OwnedIdentifier[]> {
    calls.push('identifiersOwnedBy');
    return this.owned;
  }
  async erase(customerIds: string[], identifierIds: string[]): Promise<ErasedCounts> {
    calls.push('erase');
    this.erasedWith = { customerIds, identifierIds };
    return { identifiers: identifierIds.length, customers: customerIds.length + 1, traitRecords: 3, reviews: 1 };
  }
}

class Erased implements ErasedIdentifiers {
  readonly marked: string[] = [];
  async markErased(pseudonyms: string[]): Promise<void> {
    calls.push('markErased');
    this.marked.push(...pseudonyms);
  }
  async erasedAmong(pseudonyms: string[]): Promise<Set<string>> {
    return new Set(pseudonyms.filter((p) => this.marked.includes(p)));
  }
}

class Keys implements DataKeys {
  readonly destroyed: string[] = [];
  async destroy(subjects: string[]): Promise<number> {
    calls.push('destroy');
    this.destroyed.push(...subjects);
    return subjects.length;
  }
}

class Cache implements LookupCache {
  readonly forgotten: TypedIdentifier[] = [];
  async get(): Promise<CachedCustomer | undefined> {
    return undefined;
  }
  async answer(): Promise<string | undefined> {
    return undefined;
  }
  answerInMemory(): string | undefined {
    return undefined;
  }
  async store(): Promise<void> {
    calls.push('store');
  }
  async forgetIdentifiers(identifiers: readonly TypedIdentifier[]): Promise<void> {
    calls.push('forgetIdentifiers');
    this.forgotten.push(...identifiers);
  }
}

const settings: PrivacySettings = {
  services: ['identity-resolution'],
  pseudonymKey: KEY,
  lateEventPolicy: 'drop',
  exportTimeoutMs: 1000,
  outboxRelayMs: 0,
};

function setUp() {
  calls.length = 0;
  const owned: OwnedIdentifier[] = [
    { _id: 'email:ada@example.org', type: 'email', value: 'ada@example.org' },
    { _id: 'userId:u-17', type: 'userId', value: 'u-17' },
  ];
  const graph = new Graph(owned);
  const erased = new Erased();
  const keys = new Keys();
  const cache = new Cache();
  return { graph, erased, keys, cache, participant: new IdentityPrivacyParticipant(graph, cache, erased, settings, keys) };
}

describe('IdentityPrivacyParticipant.erase', () => {
  it('records the identifiers as keyed hashes and destroys the data keys before the graph forgets them, then drops the lookup entries', async () => {
    const { participant } = setUp();
    await participant.erase(['cus_a', 'cus_b']);
    expect(calls).toEqual(['identifiersOwnedBy', 'markErased', 'destroy', 'erase', 'forgetIdentifiers', 'store']);
  });

  it('marks keyed hashes, never the identifiers themselves, and shreds the keys of the customers and their routing identifiers', async () => {
    const { participant, erased, keys } = setUp();
    await participant.erase(['cus_a']);
    expect(erased.marked).toEqual([pseudonym(KEY, 'email:ada@example.org'), pseudonym(KEY, 'userId:u-17')]);
    expect(erased.marked.some((p) => p.includes('ada@example.org'))).toBe(false);
    expect(keys.destroyed).toEqual(['customer:cus_a', 'routing:u-17']);
  });

  it('deletes the owned identifiers by id and reports what each store removed', async () => {
    const { participant, graph, cache } = setUp();
    const result = await participant.erase(['cus_a']);
    expect(graph.erasedWith).toEqual({ customerIds: ['cus_a'], identifierIds: ['email:ada@example.org', 'userId:u-17'] });
    expect(cache.forgotten).toEqual([
      { type: 'email', value: 'ada@example.org' },
      { type: 'userId', value: 'u-17' },
    ]);
    expect(result).toEqual({
      deleted: {
        'mongo:identifiers': 2,
        'mongo:customers': 2,
        'mongo:trait_records': 3,
        'mongo:review_queue': 1,
        'redis:lookup_entries': 3,
        'keys:data_keys': 2,
      },
      tombstones: [topics.identitySnapshots],
    });
  });
});
