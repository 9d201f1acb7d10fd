/** An operator asked to merge two ids that already stand for one customer: nothing to do. */
export class AlreadyOneCustomerError extends Error {
  constructor(
    readonly customerIds: readonly [string, string],
    readonly customerId: string,
  ) {
    super(`${customerIds[0]} and ${customerIds[1]} are already one customer, ${customerId}`);
    this.name = 'AlreadyOneCustomerError';
  }
}

/**
 * The merged customer would hold more identifiers of a type than one customer may (two userIds,
 * say): its later events would be refused, so an operator's merge is refused instead.
 */
export class IdentifierLimitExceededError extends Error {
  constructor(
    readonly type: string,
    readonly count: number,
    readonly max: number,
  ) {
    super(`the merged customer would hold ${count} ${type} (one customer may hold at most ${max})`);
    this.name = 'IdentifierLimitExceededError';
  }
}
