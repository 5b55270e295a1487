// Builds the store console's browser files into dist/console (shipped in the npm package): one
// minified ES module with Preact and htm inside, its stylesheet and its page. No CDN, no inline script.
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const web = fileURLToPath(new URL('../src/integrations/http/console/web/', import.meta.url));
const out = fileURLToPath(new URL('../dist/console/', import.meta.url));
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${web}main.ts`],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  outfile: `${out}app.js`,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(`${web}app.css`, `${out}app.css`);
copyFileSync(`${web}index.html`, `${out}index.html`);
