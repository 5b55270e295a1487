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
