import type { DomainErrorRule } from '@o2o/runtime';
import { CustomerNotFoundError } from '../application/read-needs/read-needs.query';

/** needs-profiling's domain errors and the answer each gets (applied by the service's ProblemFilter). */
export const NEEDS_ERRORS: readonly DomainErrorRule[] = [{ error: CustomerNotFoundError, status: 404, code: 'not_found' }];
