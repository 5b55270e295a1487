/** Writes test/exit-monitor/door-exit.jsonl from door-capture.ts:  npx tsx test/exit-monitor/make-door-capture.ts */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { doorCaptureText } from './door-capture.js';

const out = fileURLToPath(new URL('./door-exit.jsonl', import.meta.url));
writeFileSync(out, doorCaptureText());
process.stdout.write(`wrote ${out}\n`);
