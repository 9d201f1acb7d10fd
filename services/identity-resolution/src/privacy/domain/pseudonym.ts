import { createHmac } from 'node:crypto';

/**
 * Keyed hash used wherever the privacy records must recognise a value without holding it: erased
 * identifiers (to apply the late-event policy) and customer ids in audit records. Keyed, so a
 * list of e-mails cannot be hashed and compared against it without the key.
 */
export function pseudonym(key: string, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}
