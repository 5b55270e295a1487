// Loaded with `node --import` into a child process: appends the URL of every ES module the process
// loads (a CommonJS package imported from ESM shows as its entry file) to $MODULE_PROBE_FILE.
import { register } from 'node:module';

register(new URL('./module-probe-hooks.mjs', import.meta.url));
