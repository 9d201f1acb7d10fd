import type { DomainErrorRule } from '@o2o/runtime';
import {
  AmbiguousIdentifierError,
  CustomerMergedError,
  InvalidIdentifierError,
  NothingToSplitError,
  ReviewAlreadyDecidedError,
  UnknownCustomerError,
  UnknownIdentifierTypeError,
  UnknownReviewError,
} from '../domain/identity.errors';
import { NotEnoughRecordsError } from '../application/estimate-parameters/estimate-parameters';
import { AlreadyOneCustomerError, IdentifierLimitExceededError } from '../application/merge-customers/merge-customers.errors';

/**
 * identity-resolution's domain errors and the answer each gets, in the platform's one error body
 * (the service's ProblemFilter applies it to whatever a route throws).
 */
export const IDENTITY_ERRORS: readonly DomainErrorRule[] = [
  { error: UnknownCustomerError, status: 404, code: 'customer_not_found' },
  { error: UnknownReviewError, status: 404, code: 'review_not_found' },
  { error: UnknownIdentifierTypeError, status: 404, code: 'unknown_identifier_type' },
  { error: InvalidIdentifierError, status: 400, code: 'invalid_identifier' },
  {
    error: AmbiguousIdentifierError,
    status: 409,
    code: 'ambiguous_identifier',
    details: (e) => ({ customerIds: (e as AmbiguousIdentifierError).customerIds }),
  },
  {
    error: CustomerMergedError,
    status: 409,
    code: 'customer_merged',
    details: (e) => ({ survivorId: (e as CustomerMergedError).survivorId }),
  },
  { error: NothingToSplitError, status: 409, code: 'nothing_to_split' },
  {
    error: AlreadyOneCustomerError,
    status: 409,
    code: 'already_one_customer',
    details: (e) => ({ customerId: (e as AlreadyOneCustomerError).customerId }),
  },
  {
    error: IdentifierLimitExceededError,
    status: 409,
    code: 'identifier_limit_exceeded',
    details: (e) => ({ type: (e as IdentifierLimitExceededError).type, max: (e as IdentifierLimitExceededError).max }),
  },
  { error: ReviewAlreadyDecidedError, status: 409, code: 'review_already_decided' },
  { error: NotEnoughRecordsError, status: 422, code: 'not_enough_records' },
];
