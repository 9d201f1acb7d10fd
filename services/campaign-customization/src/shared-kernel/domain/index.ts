export * from './customer-profile';
export * from './consent';
export * from './event-counter';
export * from './profile-path';
export * from './profile.projection';
export * from './membership';
