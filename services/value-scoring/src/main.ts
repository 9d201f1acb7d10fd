import { runService } from '@o2o/runtime';
import { loadValueScoringConfig } from './config/value-scoring.config';
import { valueScoringService } from './value-scoring.service';

runService(valueScoringService, loadValueScoringConfig);
