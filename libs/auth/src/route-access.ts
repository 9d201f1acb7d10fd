import { applyDecorators, SetMetadata } from '@nestjs/common';
import type { Scope } from './scopes';

export const ROUTE_ACCESS = 'o2o:route-access';

/**
 * What a route requires. Every route declares one (deny by default): a route without a
 * declaration is refused at boot and by the access-control tests.
 */
export type RouteAccess =
  | { kind: 'scope'; scope: Scope }
  /** No credential at all: health, metrics, public documents. */
  | { kind: 'open'; reason: string }
  /** The route checks its own kind of credential (ingestion's Segment write keys). */
  | { kind: 'own-credential'; scheme: string };

/** The route needs a bearer token or API key carrying `scope`. */
export const RequireScope = (scope: Scope) => applyDecorators(SetMetadata(ROUTE_ACCESS, { kind: 'scope', scope } satisfies RouteAccess));

/** The route is open to anyone who reaches it; say why. */
export const OpenRoute = (reason: string) => applyDecorators(SetMetadata(ROUTE_ACCESS, { kind: 'open', reason } satisfies RouteAccess));

/** The route authenticates its callers itself, with `scheme`. */
export const OwnCredential = (scheme: string) =>
  applyDecorators(SetMetadata(ROUTE_ACCESS, { kind: 'own-credential', scheme } satisfies RouteAccess));
