import { runService } from '@o2o/runtime';
import { loadConsoleConfig } from './config/console.config';
import { consoleService } from './console.service';

runService(consoleService, loadConsoleConfig, (running, config) => {
  running.logger.info({ url: config.CONSOLE_PUBLIC_URL }, `console: ${config.CONSOLE_PUBLIC_URL}`);
});
