import { REVIEW_ACCEPTED_RULE } from '../../domain/identity-graph.model';

/** The link rule of a merge an operator made by hand (POST /v1/customers/{id}/merge). */
export const OPERATOR_MERGE_RULE = 'operator:merged';

/**
 * Rules of the merges a person makes (a reviewer's, an operator's): written and published
 * outside any consumer batch, so the graph outbox relay publishes them if the request could not,
 * and each is a new fact with an event id of its own (the same two customers may be split and
 * joined again).
 */
export const MANUAL_MERGE_RULES: readonly string[] = [REVIEW_ACCEPTED_RULE, OPERATOR_MERGE_RULE];
