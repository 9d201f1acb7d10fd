import type { Page } from 'playwright-core';

/**
 * Logs a person into the console the way a person does: the console sends the browser to the
 * OpenID Connect provider's login page, then (on a person's first login to the console's client)
 * its consent page, and back. Resolves once `readySelector` is on the console's page.
 */
export async function logInToConsole(
  page: Page,
  consoleUrl: string,
  login: string,
  readySelector: string,
  timeoutMs: number,
): Promise<void> {
  const wait = { timeout: timeoutMs };
  await page.goto(consoleUrl);
  await page.waitForURL((address) => address.pathname.startsWith('/interaction/'), wait);
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'any password');
  await page.click('button[type="submit"]');
  await page.waitForURL((address) => address.origin === consoleUrl || address.pathname.startsWith('/interaction/'), wait);
  if (new URL(page.url()).origin !== consoleUrl) {
    await page.click('button[type="submit"]');
    await page.waitForURL((address) => address.origin === consoleUrl, wait);
  }
  await page.waitForSelector(readySelector, wait);
}
