/**
 * `npm run bench`: every figure as one JSON line {"bench","value","unit"} (DESIGN.md), human-readable
 * notes on other lines. Benchmarks run one after another so that they do not compete for the two cores.
 */
type Report = (bench: string, value: number, unit: string) => void;
type BenchModule = { run(report: Report): Promise<void> };

const modules: Array<[string, () => Promise<BenchModule>]> = [
  ['core', () => import('./core.js')],
  ['thingmagic', () => import('./thingmagic.js')],
  ['em4100', () => import('./em4100.js')],
  ['readers', () => import('./readers.js')],
  ['replay', () => import('./replay.js')],
  ['transport', () => import('./transport.js')],
  ['outbox', () => import('./outbox.js')],
  ['mqtt', () => import('./mqtt.js')],
  ['fleet', () => import('./fleet.js')],
  ['pipeline', () => import('./pipeline.js')],
  ['gateway', () => import('./gateway.js')],
  ['console', () => import('./console.js')],
  ['console-memory', () => import('./console-memory.js')],
  ['purchase', () => import('./purchase.js')],
];

const only = process.argv.slice(2);
const report: Report = (bench, value, unit) => {
  console.log(JSON.stringify({ bench, value: Number(value.toPrecision(6)), unit }));
};

let failed = false;
for (const [name, load] of modules) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`# ${name}`);
  try {
    const module = await load();
    await module.run(report);
  } catch (error) {
    failed = true;
    console.log(`# ${name} failed: ${(error as Error).stack ?? String(error)}`);
  }
}
process.exitCode = failed ? 1 : 0;
