import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The direction of dependencies (DESIGN.md "Source layout"), checked on every import of every
 * source file, tests included: a rule broken here is a layer reaching where it must not.
 */
const SRC = fileURLToPath(new URL('../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The top folder under src/ of every relative import of `file` that stays in src/. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const folders: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = relative(SRC, resolve(dirname(file), match[1] as string));
    if (target.startsWith('..')) continue;
    folders.push(target.split('/')[0] as string);
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
