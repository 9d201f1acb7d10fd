/**
 * Every scope a route can require. A scope names a resource and what may be done with it; roles
 * (below) are bundles of scopes that follow the platform's users.
 */
export const SCOPES = {
  /** Send events (the Kafka intake; the HTTP tracking routes take Segment write keys instead). */
  eventsWrite: 'events:write',
  /** Look a customer up and read their value, needs, next question and a preview of the next action. */
  profilesRead: 'profiles:read',
  /** Ask for the next action and reserve the contact (counts against contact caps, publishes a decision). */
  decisionsWrite: 'decisions:write',
  segmentsRead: 'segments:read',
  segmentsWrite: 'segments:write',
  /** Campaigns and their lift reports. */
  campaignsRead: 'campaigns:read',
  campaignsWrite: 'campaigns:write',
  /** Export everything the platform holds about a customer. */
  privacyExport: 'privacy:export',
  /** Erase a customer from every service. */
  privacyErase: 'privacy:erase',
  /** Status of access and erasure requests. */
  privacyRead: 'privacy:read',
  /** Match evidence, the review queue, matching parameters. */
  matchingRead: 'matching:read',
  /** Split customers, accept or reject reviews, estimate matching parameters. */
  matchingWrite: 'matching:write',
  modelsRead: 'models:read',
  /** Refit and rescore value models. */
  modelsWrite: 'models:write',
  /** Ingestion's sources and their write keys. */
  sourcesAdmin: 'sources:admin',
  /** API keys of machine clients (every service's /admin/v1/api-keys). */
  apiKeysAdmin: 'api-keys:admin',
  /** Read and export the audit trail of privileged calls (every service's /admin/v1/audit). */
  auditRead: 'audit:read',
  /** List and inspect a service's dead letters (they hold event payloads). */
  deadLettersRead: 'dead-letters:read',
  /** Re-drive dead letters to their original topic or discard them (audited). */
  deadLettersWrite: 'dead-letters:write',
  /**
   * Fetch and create the data keys personal data on sealed topics is encrypted under
   * (identity-resolution's key store): the platform's own services, on their hot paths.
   */
  dataKeysUse: 'data-keys:use',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

export const ALL_SCOPES: readonly Scope[] = Object.values(SCOPES);

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}

/**
 * Scopes whose calls are not privileged, so not in the audit trail: the customer-facing traffic of
 * channels, agents and services (events, one customer's profile, a decision), thousands a second,
 * measured by metrics and request logs. Every other scope's calls are recorded.
 */
export const AUDIT_EXEMPT_SCOPES: readonly Scope[] = [SCOPES.eventsWrite, SCOPES.profilesRead, SCOPES.decisionsWrite, SCOPES.dataKeysUse];

/** The platform's users. */
export const ROLES = ['channel', 'agent', 'marketer', 'privacy-officer', 'operator', 'service'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** What each role may do. A person's or client's token carries scopes, roles, or both. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  /** Enterprise channels emitting events (web, app, call centre, store, e-mail). */
  channel: [SCOPES.eventsWrite],
  /** Customer-facing employees: one customer at a time, at hand and now. */
  agent: [SCOPES.profilesRead, SCOPES.decisionsWrite],
  marketer: [SCOPES.segmentsRead, SCOPES.segmentsWrite, SCOPES.campaignsRead, SCOPES.campaignsWrite],
  /** Access and erasure requests, and the audit trail (read by those it does not record doing administration). */
  'privacy-officer': [SCOPES.privacyExport, SCOPES.privacyErase, SCOPES.privacyRead, SCOPES.auditRead],
  /** Runs the platform: identity review and splits, models, sources, API keys, dead letters. */
  operator: [
    SCOPES.matchingRead,
    SCOPES.matchingWrite,
    SCOPES.modelsRead,
    SCOPES.modelsWrite,
    SCOPES.sourcesAdmin,
    SCOPES.apiKeysAdmin,
    SCOPES.deadLettersRead,
    SCOPES.deadLettersWrite,
  ],
  /** Other systems calling the platform: delivery channels asking for decisions, downstream readers. */
  service: [SCOPES.eventsWrite, SCOPES.profilesRead, SCOPES.decisionsWrite, SCOPES.segmentsRead, SCOPES.campaignsRead, SCOPES.dataKeysUse],
};

/** The scopes of a set of roles (unknown role names grant nothing). */
export function scopesOfRoles(roles: readonly string[]): Scope[] {
  const scopes = new Set<Scope>();
  for (const role of roles) if (isRole(role)) for (const scope of ROLE_SCOPES[role]) scopes.add(scope);
  return [...scopes];
}
