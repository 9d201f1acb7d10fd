import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { invalid, notFound, pageOf, pageQuerySchema, parseBody, problem } from '../../shared/interface/http-problem';
import {
  CampaignExistsError,
  CampaignNotFoundError,
  InvalidCampaignError,
  ManageCampaignsHandler,
} from '../application/manage-campaigns/manage-campaigns.handler';
import { CampaignConflictError, StoredCampaigns, type CampaignDocument } from '../application/ports';
import { RequireScope, SCOPES } from '@o2o/auth';

function view(document: CampaignDocument) {
  return {
    ...document.definition,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    versions: document.history.map((h) => ({ version: h.version, savedAt: h.savedAt })),
  };
}

@Controller('v1/campaigns')
export class CampaignsController {
  constructor(
    private readonly manage: ManageCampaignsHandler,
    private readonly campaigns: StoredCampaigns,
  ) {}

  @RequireScope(SCOPES.campaignsWrite)
  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown) {
    return view(await this.run(() => this.manage.create(body)));
  }

  /** A full replacement; the result is the next version. */
  @RequireScope(SCOPES.campaignsWrite)
  @Put(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    return view(await this.run(() => this.manage.update(id, body)));
  }

  @RequireScope(SCOPES.campaignsRead)
  @Get()
  async list(@Query() query: unknown) {
    const { items, next } = pageOf(await this.campaigns.all(), (c) => c.id, parseBody(pageQuerySchema, query));
    return { campaigns: items, ...(next !== undefined ? { next } : {}) };
  }

  @RequireScope(SCOPES.campaignsRead)
  @Get(':id')
  async get(@Param('id') id: string) {
    const document = await this.campaigns.get(id);
    if (document === null) throw notFound(`no campaign ${id}`);
    return view(document);
  }

  private async run(work: () => Promise<CampaignDocument>): Promise<CampaignDocument> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof InvalidCampaignError) throw invalid(error.issues);
      if (error instanceof CampaignExistsError) throw problem(409, 'campaign_exists', error.message);
      if (error instanceof CampaignNotFoundError) throw notFound(error.message);
      if (error instanceof CampaignConflictError) throw problem(409, 'conflict', error.message);
      throw error;
    }
  }
}
