// Builds the store console's browser files into dist/console (shipped in the npm package): one
// minified ES module with Preact and htm inside, its stylesheet (uPlot's included) and its page. The
// chart library is a chunk of its own (chunks/), loaded by the Engagement page when it draws its
// first chart, so that the first load of every other page stays as light as it was. No CDN, no inline
// script.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const web = fileURLToPath(new URL('../src/integrations/http/console/web/', import.meta.url));
const out = fileURLToPath(new URL('../dist/console/', import.meta.url));
// A chunk's name carries its hash: chunks of earlier builds would otherwise pile up in the package.
rmSync(`${out}chunks`, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning', outdir: out };
await build({
  ...common,
  entryPoints: { app: `${web}main.ts` },
  splitting: true,
  format: 'esm',
  target: ['es2022'],
  chunkNames: 'chunks/[name]-[hash]',
});
await build({ ...common, entryPoints: { app: `${web}app.css` } });
copyFileSync(`${web}index.html`, `${out}index.html`);
