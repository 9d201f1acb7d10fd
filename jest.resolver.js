// kubernetes-models and @kubernetes-models/* (the chart's schemas, libs/deploy) publish their
// files under the "import" export condition only; jest's CommonJS runtime asks for "require".
// Resolve those packages by their "import" condition (jest.preset.js transpiles them).
const ES_MODULE_ONLY = /^(kubernetes-models|@kubernetes-models\/|is-cidr$|cidr-regex$)/;

module.exports = (request, options) =>
  options.defaultResolver(request, ES_MODULE_ONLY.test(request) ? { ...options, conditions: ['import', 'node', 'default'] } : options);
