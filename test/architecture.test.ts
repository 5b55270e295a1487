import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The direction of dependencies (DESIGN.md "Source layout"), checked on every import of every
 * source file, tests included: a rule broken here is a layer reaching where it must not.
 */
const SRC = fileURLToPath(new URL('../src', import.meta.url));
const TEST = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) =>
    resolve(dirname(file), (match[1] as string).replace(/\.js$/, '.ts')),
  );
}

/**
 * The top folder under src/ of every import of `file` that lands in src/; a test kit it imports from
 * test/ counts with what that kit imports from src/ (a kit is a way around a rule, not out of it).
 */
function importedFolders(file: string, seen = new Set<string>()): string[] {
  const folders: string[] = [];
  for (const target of relativeImports(file)) {
    const inSrc = relative(SRC, target);
    if (!inSrc.startsWith('..')) {
      folders.push(inSrc.split('/')[0] as string);
    } else if (target.startsWith(TEST) && !seen.has(target)) {
      seen.add(target);
      folders.push(...importedFolders(target, seen));
    }
  }
  return folders;
}

const RULES: Record<string, readonly string[]> = {
  // Pure codecs and the hot path: nothing of ours but the shared contracts.
  protocols: ['protocols', 'shared'],
  core: ['core', 'shared'],
  // The store's features: the core and the store, never the wire, the ports or the devices.
  domain: ['domain', 'core', 'shared', 'config', 'store', 'observability'],
  // Devices know commands, not purchases.
  devices: ['devices', 'protocols', 'shared', 'observability'],
  // The store and MQTT know events, not readers or purchases.
  store: ['store', 'shared', 'observability'],
  mqtt: ['mqtt', 'shared', 'observability', 'store', 'config'],
  transport: ['transport', 'shared', 'observability'],
  // Home Assistant, EPCIS, HTTP: features on the same services as the domain's, never the app.
  integrations: ['integrations', 'domain', 'core', 'shared', 'config', 'store', 'mqtt', 'observability'],
  // The contracts of the config: validated with the core's own limits and the store's defaults.
  config: ['config', 'core', 'shared', 'store'],
  shared: ['shared', 'config', 'store', 'observability'],
};

describe('the direction of dependencies', () => {
  for (const [folder, allowed] of Object.entries(RULES)) {
    it(`${folder} imports only ${allowed.join(', ')}`, () => {
      const reaching = sources(join(SRC, folder)).flatMap((file) =>
        importedFolders(file)
          .filter((target) => !allowed.includes(target))
          .map((target) => `${relative(SRC, file)} → ${target}`),
      );
      expect(reaching).toEqual([]);
    });
  }
});
