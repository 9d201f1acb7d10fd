import { Module } from '@nestjs/common';
import { DataKeysController } from './interface/data-keys.controller';

/**
 * The key store's API. The store itself (DataKeyStore) is provided by the service's root module
 * (libs/runtime `dataKeyStore`), so that the Kafka publisher and consumer of this process use it.
 */
@Module({ controllers: [DataKeysController] })
export class KeysModule {}
