/** Domain errors; interface/ maps them to HTTP statuses. */
export class UnknownCustomerError extends Error {
  constructor(readonly customerId: string) {
    super(`no customer ${customerId}`);
    this.name = 'UnknownCustomerError';
  }
}

export class CustomerMergedError extends Error {
  constructor(
    readonly customerId: string,
    readonly survivorId: string,
  ) {
    super(`customer ${customerId} was merged into ${survivorId}; split ${survivorId} instead`);
    this.name = 'CustomerMergedError';
  }
}

export class NothingToSplitError extends Error {
  constructor(
    readonly customerId: string,
    detail: string,
  ) {
    super(`customer ${customerId} cannot be split: ${detail}`);
    this.name = 'NothingToSplitError';
  }
}

export class UnknownIdentifierTypeError extends Error {
  constructor(readonly type: string) {
    super(`identifier type ${type} is not declared in the identity rules`);
    this.name = 'UnknownIdentifierTypeError';
  }
}

export class InvalidIdentifierError extends Error {
  constructor(
    readonly type: string,
    detail: string,
  ) {
    super(`not a valid ${type}: ${detail}`);
    this.name = 'InvalidIdentifierError';
  }
}

export class AmbiguousIdentifierError extends Error {
  constructor(
    readonly type: string,
    readonly customerIds: readonly string[],
  ) {
    super(`${type} is shared by ${customerIds.length} customers (not a unique identifier type)`);
    this.name = 'AmbiguousIdentifierError';
  }
}

export class UnknownReviewError extends Error {
  constructor(readonly reviewId: string) {
    super(`no review item ${reviewId}`);
    this.name = 'UnknownReviewError';
  }
}

export class ReviewAlreadyDecidedError extends Error {
  constructor(
    readonly reviewId: string,
    readonly status: string,
  ) {
    super(`review item ${reviewId} is already ${status}`);
    this.name = 'ReviewAlreadyDecidedError';
  }
}
