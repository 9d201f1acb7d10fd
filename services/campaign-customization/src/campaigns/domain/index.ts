export * from './campaign-definition';
export * from './holdout';
export * from './contact-cap';
export * from './offer.assembler';
export * from './campaign.eligibility';
export * from './campaign.arbitration';
export * from './next-action.decider';
export * from './customer-brief';
