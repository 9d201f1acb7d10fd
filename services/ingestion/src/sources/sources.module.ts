import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Source, SourceSchema } from './infrastructure/source.schema';
import { SourceRepository } from './infrastructure/source.repository';
import { SourcesAdminController } from './interface/sources-admin.controller';

@Module({
  imports: [MongooseModule.forFeature([{ name: Source.name, schema: SourceSchema }])],
  controllers: [SourcesAdminController],
  providers: [SourceRepository],
  exports: [SourceRepository],
})
export class SourcesModule {}
