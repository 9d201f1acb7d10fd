import { Injectable } from '@nestjs/common';
import { normaliseIdentifierValue } from '../../../matching/domain';
import { AmbiguousIdentifierError, InvalidIdentifierError, UnknownIdentifierTypeError } from '../../domain/identity.errors';
import { CachedCustomer, LookupCache } from '../ports/lookup-cache.port';
import { RulesInForce } from '../ports/rules-in-force.port';
import { LookupGraph } from './lookup-identity.ports';

/**
 * The hot-path lookup: the value is normalised exactly as events are, then answered from Redis;
 * a miss reads MongoDB (following merges) and fills the cache for the next caller.
 */
@Injectable()
export class LookupIdentityQuery {
  constructor(
    private readonly cache: LookupCache,
    private readonly graph: LookupGraph,
    private readonly rules: RulesInForce,
  ) {}

  async execute(type: string, rawValue: string): Promise<CachedCustomer | undefined> {
    const { value, unique } = this.normalise(type, rawValue);
    if (unique) {
      const cached = await this.cache.get(type, value);
      if (cached !== undefined) return cached;
    }
    return this.fromStore(type, value, unique);
  }

  /** The same answer as a JSON document, as cached: what the HTTP API sends without re-serialising. */
  async answer(type: string, rawValue: string): Promise<string | undefined> {
    const { value, unique } = this.normalise(type, rawValue);
    if (unique) {
      const cached = await this.cache.answer(type, value);
      if (cached !== undefined) return cached;
    }
    const found = await this.fromStore(type, value, unique);
    return found === undefined ? undefined : JSON.stringify(found);
  }

  /**
   * The answer when this process holds it in memory, synchronously; undefined otherwise (not
   * held, a non-unique type, an unknown type or an invalid value: the full path answers those).
   */
  answerInMemory(type: string, rawValue: string): string | undefined {
    const rules = this.rules.current();
    const rule = rules.types.get(type);
    if (rule?.unique !== true) return undefined;
    const normalised = normaliseIdentifierValue(rule.normaliser, rawValue, rules.normaliserSettings);
    return normalised.ok ? this.cache.answerInMemory(type, normalised.value) : undefined;
  }

  private normalise(type: string, rawValue: string): { value: string; unique: boolean } {
    const rules = this.rules.current();
    const rule = rules.types.get(type);
    if (rule === undefined) throw new UnknownIdentifierTypeError(type);
    const normalised = normaliseIdentifierValue(rule.normaliser, rawValue, rules.normaliserSettings);
    if (!normalised.ok) throw new InvalidIdentifierError(type, normalised.detail);
    return { value: normalised.value, unique: rule.unique };
  }

  private async fromStore(type: string, value: string, unique: boolean): Promise<CachedCustomer | undefined> {
    const documents = await this.graph.identifierDocuments(type, value, unique);
    const owners = new Set<string>();
    for (const document of documents) {
      const current = await this.graph.currentCustomer(document.customerId);
      owners.add(current?._id ?? document.customerId);
    }
    if (owners.size === 0) return undefined;
    if (owners.size > 1) throw new AmbiguousIdentifierError(type, [...owners].sort());
    const [customerId] = [...owners];
    if (customerId === undefined) return undefined;
    const snapshot = (await this.graph.snapshotsOf([customerId])).get(customerId);
    const found = { customerId, identifiers: snapshot?.identifiers ?? [] };
    await this.cache.store(new Map([[customerId, found.identifiers]]));
    return found;
  }
}
