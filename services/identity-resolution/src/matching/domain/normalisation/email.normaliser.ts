import { NormalisationResult, normalisationFailure, normalised } from './normalisation-result.model';

export interface EmailNormaliserOptions {
  /**
   * Drop a "+tag" sub-address from the local part (jane+shop@x.com -> jane@x.com). Most large
   * providers deliver both to one mailbox, but not all do, so the default keeps the tag: a wrong
   * deterministic link merges two customers, a missed one only delays a merge.
   */
  readonly stripPlusTags: boolean;
  /**
   * Gmail ignores dots in the local part and treats googlemail.com as gmail.com. Only applied to
   * those two domains, where it is provably the same mailbox.
   */
  readonly canonicaliseGmail: boolean;
}

export const defaultEmailNormaliserOptions: EmailNormaliserOptions = {
  stripPlusTags: false,
  canonicaliseGmail: false,
};

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);
// Deliberately looser than RFC 5321: we only need to reject values that cannot be a mailbox
// (spaces, missing domain), not to police exotic but deliverable addresses.
const LOCAL_PART = /^[^\s@"(),:;<>[\\\]]+$/u;
const DOMAIN = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;
const MAX_LENGTH = 254;

/**
 * Case is folded for the whole address: local parts are case-sensitive in theory only, and
 * channels routinely capitalise the first letter.
 */
export function normaliseEmail(raw: string, options: EmailNormaliserOptions = defaultEmailNormaliserOptions): NormalisationResult<string> {
  let text = raw.normalize('NFC').trim();
  if (text.toLowerCase().startsWith('mailto:')) text = text.slice('mailto:'.length).trim();
  // "Maria Sentosa <msentosa@fmail.com>" and "<msentosa@fmail.com>": the address in the brackets.
  const bracketed = /<([^<>]+)>\s*$/u.exec(text);
  if (bracketed?.[1] !== undefined) text = bracketed[1].trim();
  text = text.toLowerCase().normalize('NFC');
  if (text === '') return normalisationFailure('email', 'empty', 'no e-mail address');
  if (text.length > MAX_LENGTH) return normalisationFailure('email', 'invalid_format', 'longer than 254 characters');

  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return normalisationFailure('email', 'invalid_format', 'missing local part or domain');
  let local = text.slice(0, at);
  let domain = text.slice(at + 1).replace(/\.$/u, '');

  if (options.stripPlusTags) {
    const plus = local.indexOf('+');
    if (plus >= 0) local = local.slice(0, plus);
  }
  if (options.canonicaliseGmail && GMAIL_DOMAINS.has(domain)) {
    domain = 'gmail.com';
    local = local.replace(/\./gu, '');
  }
  // Validated after the rewrites so that the output is always itself a valid input (idempotence).
  if (local === '') return normalisationFailure('email', 'invalid_format', 'empty local part');
  if (!LOCAL_PART.test(local)) return normalisationFailure('email', 'invalid_format', 'local part has forbidden characters');
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return normalisationFailure('email', 'invalid_format', 'local part has misplaced dots');
  }
  if (!DOMAIN.test(domain)) return normalisationFailure('email', 'invalid_format', 'domain is not a host name');
  return normalised(`${local}@${domain}`);
}
