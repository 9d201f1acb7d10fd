import { Injectable } from '@nestjs/common';
import { LookupIdentityQuery } from '../../resolution/application/lookup-identity/lookup-identity.query';
import { IdentityCollections } from '../../resolution/infrastructure/identity-graph.collections';
import { CustomerLookup } from '../application/customer-lookup.port';

/** Resolves a privacy request's identifier like the lookup API, then gathers every id merged into the customer. */
@Injectable()
export class GraphCustomerLookup implements CustomerLookup {
  constructor(
    private readonly lookup: LookupIdentityQuery,
    private readonly collections: IdentityCollections,
  ) {}

  async find(type: string, value: string): Promise<{ customerId: string; mergedIds: string[] } | null> {
    const found = await this.lookup.execute(type, value);
    if (!found) return null;
    const merged = new Set<string>();
    let frontier = [found.customerId];
    for (let depth = 0; depth < 20 && frontier.length > 0; depth++) {
      const children = await this.collections.customers.find({ mergedInto: { $in: frontier } }, { projection: { _id: 1 } }).toArray();
      frontier = children.map((c) => c._id).filter((id) => !merged.has(id) && id !== found.customerId);
      frontier.forEach((id) => merged.add(id));
    }
    return { customerId: found.customerId, mergedIds: [...merged] };
  }
}
