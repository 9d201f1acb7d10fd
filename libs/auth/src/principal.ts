/** Who is calling, once their credential has been checked. */
export interface Principal {
  /** How they proved it. */
  kind: 'token' | 'api-key';
  /** The token's subject (a person or a client id), or the API key's id. */
  subject: string;
  /** The OAuth client that obtained the token, or the API key's owner. */
  client: string;
  scopes: ReadonlySet<string>;
}

/** The principal is attached to the Fastify request under this property. */
export interface RequestWithPrincipal {
  principal?: Principal;
}
