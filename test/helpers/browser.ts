import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core (no browser is downloaded at install time). Under
 * CI=true a missing browser fails the tests that need it; elsewhere they are skipped, saying why.
 */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
export const BROWSER_REQUIRED = process.env.CI === 'true';
export const BROWSER_MISSING = 'Chromium is not installed (apt-get install chromium)';

export async function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error(`${BROWSER_REQUIRED ? 'CI=true and ' : ''}${BROWSER_MISSING}`);
  // Root in a container has no user namespaces for Chromium's sandbox.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** Where the browser tests leave their screenshots (kept after the run, ignored by git). */
export function artefactDir(name: string): string {
  const dir = fileURLToPath(new URL(`../../.test-artifacts/${name}/`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * For a `describe` block: one Chromium for its tests, and a cleanup list emptied (last in, first
 * out) after each test. `browser()` is there from the first test on.
 */
export function useBrowser(hooks: {
  beforeAll: (fn: () => Promise<void>) => void;
  afterAll: (fn: () => Promise<void>) => void;
  afterEach: (fn: () => Promise<void>) => void;
}): { browser: () => Browser; cleanup: Array<() => Promise<unknown> | unknown> } {
  let browser: Browser | undefined;
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  hooks.beforeAll(async () => {
    browser = await launchChromium();
  });
  hooks.afterAll(async () => {
    await browser?.close();
  });
  hooks.afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  return {
    browser: () => {
      if (!browser) throw new Error('the browser is not running');
      return browser;
    },
    cleanup,
  };
}

/** The console's address, from the gateway's `http: serving the console` log line. */
export async function consoleAddress(gateway: {
  stderr: string;
  waitForLog: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
}): Promise<string> {
  await gateway.waitForLog(/http: serving the console/, 20_000);
  const line = gateway.stderr.split('\n').find((entry) => entry.includes('http: serving the console'));
  return (JSON.parse(line ?? '{}') as { url: string }).url;
}
