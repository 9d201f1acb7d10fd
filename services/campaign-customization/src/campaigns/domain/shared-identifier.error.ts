/**
 * An identifier several customers hold (a household phone, a family car's plate): the platform
 * does not guess which one is on the line; the caller picks among the candidates.
 */
export class SharedIdentifierError extends Error {
  constructor(
    readonly identifierType: string,
    readonly candidates: readonly string[],
  ) {
    super(`${candidates.length} customers share this ${identifierType} identifier; ask again by one of the candidates' customerId`);
    this.name = 'SharedIdentifierError';
  }
}
