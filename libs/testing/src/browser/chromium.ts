/** Debian's chromium package, the browser the console, Segment-library and console-load checks drive with playwright-core. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** How those checks start it: headless, unsandboxed (CI runs as root), and with nothing that calls out to the network on its own. */
export const HEADLESS_CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
