export const CAMPAIGN_CONFIG = Symbol('CAMPAIGN_CONFIG');
