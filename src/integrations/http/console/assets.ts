import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface Asset {
  contentType: string;
  body: Buffer;
  gzipped: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The console's files, as `npm run build` leaves them in dist/console (shipped in the package). */
export const ASSET_FILES = ['index.html', 'app.js', 'app.css'] as const;
/** Script chunks a page loads when it needs them (the charts' library), named with their hash. */
export const CHUNK_DIR = 'chunks';
const CHUNK_NAME = /^[\w.-]+\.js$/;

/** The files of the first load, then the chunks the build left (none when it split nothing off). */
function assetNames(directory: string): string[] {
  let chunks: string[] = [];
  try {
    chunks = readdirSync(`${directory}${CHUNK_DIR}`).filter((name) => CHUNK_NAME.test(name));
  } catch {
    // No chunk directory: nothing is loaded later.
  }
  return [...ASSET_FILES, ...chunks.map((name) => `${CHUNK_DIR}/${name}`)];
}

/**
 * dist/console beside the compiled listener; from the sources (tests run them as they are), the
 * checkout's dist/console that `npm run build` made.
 */
function builtConsole(): string {
  const candidates = ['../../../console/', '../../../../dist/console/'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((directory) => existsSync(`${directory}index.html`)) ?? (candidates[0] as string);
}

/**
 * Read once at start and compressed once: a Pi serves each page from memory, and a console nobody
 * opens costs this memory only (tens of kB).
 */
export function loadAssets(directory = builtConsole()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of assetNames(directory)) {
    let body: Buffer;
    try {
      body = readFileSync(`${directory}${name}`);
    } catch {
      continue; // not built: the page answers 500 saying so, and /metrics still serves
    }
    const extension = name.slice(name.lastIndexOf('.'));
    assets.set(name, {
      contentType: TYPES[extension] ?? 'application/octet-stream',
      body,
      gzipped: gzipSync(body, { level: 9 }),
    });
  }
  return assets;
}
