export const VALUE_CONFIG = Symbol('VALUE_CONFIG');
