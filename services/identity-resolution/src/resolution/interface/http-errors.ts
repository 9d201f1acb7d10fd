import { BadRequestException, ConflictException, HttpException, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
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

/** Maps domain errors to HTTP answers with a stable code; anything else stays a 500. */
export function toHttpError(error: unknown): unknown {
  const body = (code: string, message: string, extra: Record<string, unknown> = {}) => ({ code, message, ...extra });
  if (error instanceof HttpException) return error;
  if (error instanceof UnknownCustomerError) return new NotFoundException(body('customer_not_found', error.message));
  if (error instanceof UnknownReviewError) return new NotFoundException(body('review_not_found', error.message));
  if (error instanceof UnknownIdentifierTypeError) return new NotFoundException(body('unknown_identifier_type', error.message));
  if (error instanceof InvalidIdentifierError) return new BadRequestException(body('invalid_identifier', error.message));
  if (error instanceof AmbiguousIdentifierError) return new ConflictException(body('ambiguous_identifier', error.message, { customerIds: error.customerIds }));
  if (error instanceof CustomerMergedError) return new ConflictException(body('customer_merged', error.message, { survivorId: error.survivorId }));
  if (error instanceof NothingToSplitError) return new ConflictException(body('nothing_to_split', error.message));
  if (error instanceof ReviewAlreadyDecidedError) return new ConflictException(body('review_already_decided', error.message));
  if (error instanceof NotEnoughRecordsError) return new UnprocessableEntityException(body('not_enough_records', error.message));
  return error;
}

export async function mapErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toHttpError(error);
  }
}
