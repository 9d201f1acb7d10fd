export const NEEDS_CONFIG = Symbol('NEEDS_CONFIG');
