import { runService } from '@o2o/runtime';
import { loadIdentityResolutionConfig } from './config/identity-resolution.config';
import { identityResolutionService } from './identity-resolution.service';

runService(identityResolutionService, loadIdentityResolutionConfig);
