import { runService } from '@o2o/runtime';
import { loadNeedsProfilingConfig } from './config/needs-profiling.config';
import { needsProfilingService } from './needs-profiling.service';

runService(needsProfilingService, loadNeedsProfilingConfig);
