import { runService } from '@o2o/runtime';
import { loadIngestionConfig } from './config/ingestion.config';
import { ingestionService } from './ingestion.service';

runService(ingestionService, loadIngestionConfig);
