import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  if (process.env.MODULE_PROBE_FILE) appendFileSync(process.env.MODULE_PROBE_FILE, `${url}\n`);
  return next(url, context);
}
