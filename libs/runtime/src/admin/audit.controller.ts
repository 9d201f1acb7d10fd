import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { AuditRecordView, AuditTrail, RequireScope, SCOPES } from '@o2o/auth';
import { parseBody } from '../http-problem';

export const auditQuerySchema = z.strictObject({
  /** From this time (ISO 8601, inclusive). */
  from: z.iso.datetime({ offset: true }).optional(),
  /** Until this time (exclusive). */
  to: z.iso.datetime({ offset: true }).optional(),
  /** The previous page's `next`. */
  after: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z~[a-f0-9]{12}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** The audit trail of this service's privileged calls, in time order, page by page (an export walks the pages). */
@Controller('admin/v1/audit')
@RequireScope(SCOPES.auditRead)
export class AuditController {
  constructor(private readonly trail: AuditTrail) {}

  @Get()
  async list(@Query() query: unknown): Promise<{ records: AuditRecordView[]; next?: string }> {
    const { from, to, after, limit } = parseBody(auditQuerySchema, query);
    return this.trail.page({
      limit,
      ...(from ? { from: new Date(from) } : {}),
      ...(to ? { to: new Date(to) } : {}),
      ...(after ? { after } : {}),
    });
  }
}
