import { runService } from '@o2o/runtime';
import { loadCampaignCustomizationConfig } from './config/campaign-customization.config';
import { campaignCustomizationService } from './campaign-customization.service';

runService(campaignCustomizationService, loadCampaignCustomizationConfig);
