import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { driverNamed } from '../../src/protocols/index.js';
import type { Driver } from '../../src/shared/decoding.js';
import { CliProcess } from '../helpers/cli.js';
import { freePort } from '../helpers/mosquitto.js';
import { createPtyPair } from '../helpers/pty.js';
import { PtyDevice } from '../helpers/pty-device.js';

const FAMILIES = [
  {
    driver: 'r2000',
    settings: { pollIntervalMs: 100 },
    present: '3034257BF7194E4000000001',
    ghost: '3034257BF7194E40000000FF',
  },
  {
    driver: 'chafon',
    settings: { scanTimeMs: 300, pollIntervalMs: 100 },
    present: '3034257BF7194E4000000001',
    ghost: '3034257BF7194E40000000FF',
  },
  { driver: 'pn532', settings: { pollIntervalMs: 100 }, present: '04A1B2C3', ghost: 'DEADBEEF' },
] as const;

/**
 * Line noise between two answers: bytes that look like the start of each family's frames (R2000
 * 0xA0, a PN532 preamble, Chafon's scan output 0xEE and a `\n` as a length byte), and runs of zeros.
 */
const GARBAGE = Buffer.from('a0ff00000000ff05ee0a0d0aa00300ff0000ff00ff5555e1', 'hex');

/**
 * The frame that would report `tag`, as the family's simulator answers the driver's own start-up and
 * poll with `tag` in its field: cut short, it is a truncated frame.
 */
function frameReporting(driver: Driver, settings: object, tag: string): Buffer {
  const device = driver.createSimulator();
  device.setField?.([{ tag: Buffer.from(tag, 'hex') }]);
  const plan = driver.pollPlan?.(settings);
  if (!plan) throw new Error(`${driver.name} is not polled`);
  const commands = [...driver.startup(settings).map((step) => step.bytes), plan.step.bytes];
  const answers = commands.flatMap((bytes) => device.answer(bytes)).map((answer) => Buffer.from(answer));
  const frame = answers.find((answer) => answer.toString('hex').toUpperCase().includes(tag));
  if (!frame) throw new Error(`no answer of ${driver.name} reports ${tag}`);
  return frame;
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{reader="reader"`));
  if (line === undefined) throw new Error(`no ${name} for the reader in\n${text}`);
  return Number(line.split(' ').at(-1));
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Corrupt and truncated streams through `run` on a real pty: garbage and a frame cut short, written
 * on the wire between two answers, are counted as decode errors and skipped; the reader stays
 * online and its polls go on being answered and read.
 */
describe('corrupt streams from polled readers on a real pty', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it.each(FAMILIES)('$driver: garbage and a truncated frame are counted, and reads go on', async (family) => {
    const driver = driverNamed(family.driver);
    const pty = await createPtyPair();
    cleanup.push(() => pty.close());
    const device = new PtyDevice(pty, () => driver.createSimulator());
    cleanup.push(() => device.stop());
    device.field = [family.present];
    const http = await freePort();
    const dir = mkdtempSync(join(tmpdir(), `rfid-corrupt-${family.driver}-`));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'corrupt',
        dataDir: join(dir, 'data'),
        logLevel: 'info',
        http: { port: http },
        readers: [
          { id: 'reader', driver: family.driver, port: pty.b, zone: 'shelf', settings: family.settings },
        ],
      }),
    );
    const gateway = new CliProcess(['run', '--config', config]);
    cleanup.push(() => gateway.stop('SIGKILL'));
    const online = await gateway.waitForEvent(
      (e) => e.type === 'reader.status' && e.state === 'online',
      'online',
    );
    await gateway.waitForEvent((e) => e.type === 'tag.arrived' && e.tag === family.present, 'arrived');
    // The listener binds beside the readers, not before them: the first read can come first.
    await gateway.waitForLog(/http: serving/);
    const errorsBefore = await metric(http, 'rfid_gateway_decode_errors_total');
    expect(errorsBefore).toBe(0);

    // Between two of its answers (the device writes each answer whole, on this same thread).
    const truncated = frameReporting(driver, family.settings, family.ghost);
    for (let i = 0; i < 3; i++) {
      pty.writeA(GARBAGE);
      await settle(150);
      pty.writeA(truncated.subarray(0, truncated.length - 2));
      await settle(150);
    }
    const framesAfter = await metric(http, 'rfid_gateway_reader_frames_total');
    await settle(1000);

    expect(await metric(http, 'rfid_gateway_decode_errors_total')).toBeGreaterThan(0);
    expect(await metric(http, 'rfid_gateway_reader_dropped_bytes_total')).toBeGreaterThan(0);
    // Its polls are answered again after the noise, and it was online all along.
    expect(await metric(http, 'rfid_gateway_reader_frames_total')).toBeGreaterThan(framesAfter);
    expect(await metric(http, 'rfid_gateway_reader_up')).toBe(1);
    const later = gateway.events().filter((e) => (e.seq as number) > (online.seq as number));
    expect(later.filter((e) => e.type === 'reader.status')).toEqual([]);
    // Nothing made up from the noise, nothing lost to it.
    const tags = gateway
      .events()
      .flatMap((e) => (String(e.type).startsWith('tag.') ? [`${String(e.type)} ${String(e.tag)}`] : []));
    expect(tags).toEqual([`tag.arrived ${family.present}`]);
    expect(await gateway.stop('SIGTERM')).toBe(0);
  });
});
