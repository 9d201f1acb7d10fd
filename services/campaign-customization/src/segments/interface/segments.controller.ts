import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { z } from 'zod';
import { invalid, notFound, pageOf, pageQuerySchema, parseBody, problem } from '../../shared/interface/http-problem';
import { reviseSegment, segmentDraftSchema } from '../domain/segment-definition';
import { ReadMembersQuery } from '../application/read-members/read-members.query';
import { ManageSegmentsHandler, SegmentExistsError, SegmentNotFoundError } from '../application/manage-segments/manage-segments.handler';
import { MembershipFlowCounts, SegmentConflictError, StoredSegments, type SegmentDocument } from '../application/ports';
import { FLOW_RETENTION_HOURS } from '../domain/membership-flow';
import { RequireScope, SCOPES } from '@o2o/auth';

/** What the API shows of a segment: the definition in force, its state and back-fill progress. */
function view(document: SegmentDocument) {
  const { backfill } = document;
  return {
    ...document.definition,
    deleted: document.deleted,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    versions: document.history.map((h) => ({ version: h.version, savedAt: h.savedAt })),
    backfill: {
      version: backfill.version,
      cause: backfill.cause,
      status: backfill.status,
      processed: backfill.processed,
      total: backfill.total,
      ...(backfill.startedAt ? { startedAt: backfill.startedAt } : {}),
      ...(backfill.finishedAt ? { finishedAt: backfill.finishedAt } : {}),
    },
  };
}

export const flowQuerySchema = z.strictObject({ hours: z.coerce.number().int().min(1).max(FLOW_RETENTION_HOURS).default(24) });

export const segmentListQuery = pageQuerySchema.extend({ includeDeleted: z.enum(['true', 'false']).optional() });

export const segmentEditSchema = segmentDraftSchema.omit({ id: true }).extend({ id: z.string().optional() });

@Controller('v1/segments')
export class SegmentsController {
  constructor(
    private readonly manage: ManageSegmentsHandler,
    private readonly segments: StoredSegments,
    private readonly readMembers: ReadMembersQuery,
    private readonly flow: MembershipFlowCounts,
  ) {}

  /** Members per segment now (one pass over the customers), and how many customers there are. */
  @RequireScope(SCOPES.segmentsRead)
  @Get('counts')
  async counts() {
    return this.readMembers.counts();
  }

  /**
   * What a draft would hold before it is saved: the draft validated like a save (400 naming each
   * problem), then evaluated on every customer now. Saves nothing, publishes nothing.
   */
  @RequireScope(SCOPES.segmentsRead)
  @Post('preview')
  @HttpCode(200)
  async preview(@Body() body: unknown) {
    const draft = parseBody(segmentDraftSchema, body);
    return this.readMembers.preview(reviseSegment(undefined, draft), new Date());
  }

  /** The segment's members, page by page in customer id order (`?limit=` up to 500, `?after=` the previous page's `next`). */
  @RequireScope(SCOPES.segmentsRead)
  @Get(':id/members')
  async members(@Param('id') id: string, @Query() query: unknown) {
    const page = parseBody(pageQuerySchema, query);
    if ((await this.segments.get(id)) === null) throw notFound(`no segment ${id}`);
    return this.readMembers.members(id, { limit: page.limit, ...(page.after !== undefined ? { after: page.after } : {}) });
  }

  /**
   * Entries and exits per hour over the last `?hours=` (default 24, at most a week), oldest
   * first, by the time of the change. A deleted segment keeps its history until it expires.
   */
  @RequireScope(SCOPES.segmentsRead)
  @Get(':id/flow')
  async membershipFlow(@Param('id') id: string, @Query() query: unknown) {
    const { hours } = parseBody(flowQuerySchema, query);
    if ((await this.segments.get(id)) === null) throw notFound(`no segment ${id}`);
    const buckets = await this.flow.read(id, hours);
    return {
      segmentId: id,
      bucket: 'hour',
      buckets,
      entered: buckets.reduce((n, b) => n + b.entered, 0),
      exited: buckets.reduce((n, b) => n + b.exited, 0),
    };
  }

  @RequireScope(SCOPES.segmentsWrite)
  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown) {
    const draft = parseBody(segmentDraftSchema, body);
    return view(await this.run(() => this.manage.create(draft)));
  }

  /** Saves a new version when the rule, purpose or consent mode changed; a rename keeps the version. */
  @RequireScope(SCOPES.segmentsWrite)
  @Put(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    const edit = parseBody(segmentEditSchema, body);
    if (edit.id !== undefined && edit.id !== id)
      throw invalid([{ field: 'id', message: `the body names segment ${edit.id}, the path ${id}` }]);
    const draft = parseBody(segmentDraftSchema, { ...edit, id });
    return view(await this.run(() => this.manage.update(draft)));
  }

  @RequireScope(SCOPES.segmentsRead)
  @Get()
  async list(@Query() query: unknown) {
    const { includeDeleted, ...page } = parseBody(segmentListQuery, query);
    const found = await this.segments.list(includeDeleted === 'true', {
      limit: page.limit + 1,
      ...(page.after !== undefined ? { after: page.after } : {}),
    });
    const { items, next } = pageOf(found, (s) => s._id, page);
    return { segments: items.map(view), ...(next !== undefined ? { next } : {}) };
  }

  @RequireScope(SCOPES.segmentsRead)
  @Get(':id')
  async get(@Param('id') id: string) {
    const document = await this.segments.get(id);
    if (document === null) throw notFound(`no segment ${id}`);
    return view(document);
  }

  /** Members exit (by back-fill, and on their next profile change, whichever comes first). */
  @RequireScope(SCOPES.segmentsWrite)
  @Delete(':id')
  async remove(@Param('id') id: string) {
    return view(await this.run(() => this.manage.remove(id)));
  }

  private async run(work: () => Promise<SegmentDocument>): Promise<SegmentDocument> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SegmentExistsError) throw problem(409, 'segment_exists', error.message);
      if (error instanceof SegmentNotFoundError) throw notFound(error.message);
      if (error instanceof SegmentConflictError) throw problem(409, 'conflict', error.message);
      throw error;
    }
  }
}
