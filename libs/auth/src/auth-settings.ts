/** How a service checks credentials (from the AUTH_* settings of libs/config). */
export interface AuthSettings {
  /** The OpenID Connect issuer whose tokens are accepted (exactly its `iss`). */
  issuer: string;
  /** The audience a token must name (`aud`): this platform's API. */
  audience: string;
  /** Where the issuer's signing keys are; without it, read from the issuer's discovery document. */
  jwksUrl?: string;
  /** Tolerance for `exp`, `nbf` and `iat` against this machine's clock. */
  clockSkewSeconds: number;
  /** Claim holding the caller's roles (dot path, e.g. `realm_access.roles` for Keycloak). */
  rolesClaim: string;
  /** Signature algorithms accepted (asymmetric only: keys come from a JWKS). */
  algorithms: string[];
  /** How long a checked API key is trusted without reading the database again (revocations reach other instances within it). */
  apiKeyCacheSeconds: number;
}
