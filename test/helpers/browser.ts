import { existsSync, mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';

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

/** Steps run after each test, last in first out. */
export type Cleanup = Array<() => Promise<unknown> | unknown>;

/** What a browser test's `describe` block is given by `describeInBrowser`. */
export interface BrowserKit {
  /** The block's Chromium, there from the first test on. */
  browser: () => Browser;
  cleanup: Cleanup;
  /** A new page, closed after the test. */
  page: (options?: BrowserContextOptions) => Promise<Page>;
}

/**
 * For a `describe` block: one Chromium for its tests, and a cleanup list emptied (last in, first
 * out) after each test. `browser()` is there from the first test on.
 */
export function useBrowser(hooks: {
  beforeAll: (fn: () => Promise<void>) => void;
  afterAll: (fn: () => Promise<void>) => void;
  afterEach: (fn: () => Promise<void>) => void;
}): BrowserKit {
  let running: Browser | undefined;
  const cleanup: Cleanup = [];
  hooks.beforeAll(async () => {
    running = await launchChromium();
  });
  hooks.afterAll(async () => {
    await running?.close();
  });
  hooks.afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const browser = () => {
    if (!running) throw new Error('the browser is not running');
    return running;
  };
  return {
    browser,
    cleanup,
    page: async (options) => {
      const page = await browser().newPage(options);
      cleanup.push(() => page.close());
      return page;
    },
  };
}

/**
 * A `describe` block that runs in Chromium: skipped, saying why, where there is none (failing
 * under CI=true instead). `file` is the test file's `import.meta.url`, named in the warning.
 */
export function describeInBrowser(file: string, name: string, body: (kit: BrowserKit) => void): void {
  const skip = !CHROMIUM && !BROWSER_REQUIRED;
  if (skip) {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    console.warn(`${relative(root, fileURLToPath(file))} skipped: ${BROWSER_MISSING}`);
  }
  describe.skipIf(skip)(name, () => body(useBrowser({ beforeAll, afterAll, afterEach })));
}

/** The page's uncaught errors and console errors, as they come. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  return problems;
}

/** Accepts every dialog the page opens; their messages, in order. */
export function acceptDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.accept();
  });
  return dialogs;
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
