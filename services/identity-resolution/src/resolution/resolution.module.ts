import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ResolveEventsHandler } from './application/resolve-events/resolve-events.handler';
import { CustomerRecord, CustomerRecordSchema, IdentifierRecord, IdentifierRecordSchema } from './infrastructure/identity-graph.schema';
import { IdentityGraphRepository } from './infrastructure/identity-graph.repository';
import { IdentitiesController } from './interface/identities.controller';
import { ReceivedEventsConsumer } from './interface/received-events.consumer';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: IdentifierRecord.name, schema: IdentifierRecordSchema },
      { name: CustomerRecord.name, schema: CustomerRecordSchema },
    ]),
  ],
  controllers: [ReceivedEventsConsumer, IdentitiesController],
  providers: [ResolveEventsHandler, IdentityGraphRepository],
})
export class ResolutionModule {}
