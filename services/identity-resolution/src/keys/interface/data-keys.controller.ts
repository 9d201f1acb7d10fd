import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { RequireScope, SCOPES } from '@o2o/auth';
import { parseBody } from '@o2o/runtime';
import { DataKeyStore } from '../infrastructure/data-key.store';

export const subjectsBody = z.strictObject({
  /** `routing:<userId or anonymousId>` or `customer:<customer id>`. */
  subjects: z
    .array(z.string().regex(/^(routing|customer):.{1,600}$/s, 'routing:<id> or customer:<id>'))
    .min(1)
    .max(5000),
});

export const lookupBody = z.strictObject({
  kids: z.array(z.string().min(1).max(200)).min(1).max(5000),
});

/**
 * The key store's API for the platform's services (their publishers seal, their consumers open):
 * one call per batch for the keys its cache lacks. Keys are answered base64, never logged or
 * cached by anyone else than the calling process (no-store).
 */
@Controller('v1/data-keys')
export class DataKeysController {
  constructor(private readonly store: DataKeyStore) {}

  /** The current key of each subject, created when it has none (a destroyed one is never brought back). */
  @RequireScope(SCOPES.dataKeysUse)
  @Post('subjects')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async subjects(@Body() body: unknown) {
    const { subjects } = parseBody(subjectsBody, body);
    const keys = await this.store.forSubjects(subjects);
    return { keys: [...keys].map(([subject, key]) => ({ subject, kid: key.kid, key: key.key.toString('base64') })) };
  }

  /** Keys by id; an id missing from the answer was destroyed by an erasure. */
  @RequireScope(SCOPES.dataKeysUse)
  @Post('lookup')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async lookup(@Body() body: unknown) {
    const { kids } = parseBody(lookupBody, body);
    const keys = await this.store.byIds(kids);
    return { keys: [...keys].map(([kid, key]) => ({ kid, key: key.toString('base64') })) };
  }
}
