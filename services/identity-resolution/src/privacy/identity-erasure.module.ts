import { Module } from '@nestjs/common';
import { DataKeyStore } from '../keys/infrastructure/data-key.store';
import { ResolutionModule } from '../resolution/resolution.module';
import { DataKeys, ErasableGraph } from './application/handle-erasure/identity-erasure.ports';
import { IdentityGraphErasure } from './infrastructure/identity-graph.erasure';

/**
 * What the privacy participant (access and erasure of the identity graph) needs beside the lookup
 * cache and the erased identifiers: the graph's collections and the data keys. DataKeyStore is
 * provided by the service's root module (libs/runtime `dataKeyStore`), which is global.
 */
@Module({
  imports: [ResolutionModule],
  providers: [
    IdentityGraphErasure,
    { provide: ErasableGraph, useExisting: IdentityGraphErasure },
    { provide: DataKeys, useExisting: DataKeyStore },
  ],
  exports: [ErasableGraph, DataKeys],
})
export class IdentityErasureModule {}
