import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const CAPTURE = fileURLToPath(new URL('../../hardware/captures/fridge-demo.jsonl', import.meta.url));
const CONFIG = fileURLToPath(new URL('../../config/demo.json', import.meta.url));

/**
 * The demo fridge's minute, replayed through the command line with its config: the scenario
 * (test/tools/make-demo-capture.ts) has Ana take a cola (…6790) and an orange juice (…2002) at
 * 21 s, Ben a club sandwich (…5) at 43 s, and a stranger's card at 54 s; prices from
 * config/demo-catalog.csv. The expected purchases below are written from that scenario.
 */
describe('rfid-gateway replay of a fridge with purchases', () => {
  it('charges each customer exactly what they took, and refuses the stranger', async () => {
    const result = await runCli(['replay', CAPTURE, '--config', CONFIG]);
    expect(result.code, result.stderr).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const purchases = events
      .filter((event) => String(event.type).startsWith('purchase.'))
      .map((event) => {
        const items =
          (event.items as Array<{ uri: string; sku: string; unitPrice: number }> | undefined) ?? [];
        return {
          type: event.type,
          customer: event.customer,
          items: items.map((item) => `${item.uri} ${item.sku} ${item.unitPrice}`).sort(),
          total: event.total,
          reason: event.reason,
        };
      });
    expect(purchases).toEqual([
      { type: 'purchase.started', customer: 'cust-0017', items: [], total: undefined, reason: undefined },
      {
        type: 'purchase.completed',
        customer: 'cust-0017',
        items: [
          'urn:epc:id:sgtin:0614141.812345.6790 COLA-033 250',
          'urn:epc:id:sgtin:0614141.812347.2002 OJ-025 220',
        ],
        total: 470,
        reason: undefined,
      },
      { type: 'purchase.started', customer: 'cust-0042', items: [], total: undefined, reason: undefined },
      {
        type: 'purchase.completed',
        customer: 'cust-0042',
        items: ['urn:epc:id:sgtin:0614141.812349.5 SAND-01 450'],
        total: 450,
        reason: undefined,
      },
      { type: 'purchase.refused', customer: undefined, items: [], total: undefined, reason: 'unknown_card' },
    ]);
    // The lock: pulsed open for each session, relocked when the door closed, safe at the end.
    const lock = events.filter((event) => event.type === 'actuator.changed').map((event) => event.value);
    expect(lock).toEqual(['open', 'closed', 'open', 'closed', 'closed']);
  });

  it('shows with --stats what the lock would have been sent: a replay writes to records, not devices', async () => {
    const result = await runCli(['replay', CAPTURE, '--config', CONFIG, '--stats']);
    expect(result.code, result.stderr).toBe(0);
    const stats = JSON.parse(result.stderr.trim().split('\n').at(-1) ?? '{}') as {
      outputs: Record<string, { writes: number; bytes: number; firstHex: string }>;
    };
    // The lock is channel `lock` of the `io` microcontroller (lines protocol, devices.md): a 5 s pulse
    // open per session, closed when the door closes, and the safe state at the end of the replay.
    const sent = 'lock=open:5000\nlock=closed\nlock=open:5000\nlock=closed\nlock=closed\n';
    expect(stats.outputs).toEqual({
      io: { writes: 5, bytes: sent.length, firstHex: Buffer.from(sent).toString('hex') },
    });
  });

  it('gives the same sessions the same ids on every replay (same capture and config, same events)', async () => {
    const sessionsOf = async () => {
      const result = await runCli(['replay', CAPTURE, '--config', CONFIG]);
      expect(result.code, result.stderr).toBe(0);
      return result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((event) => event.type === 'purchase.started')
        .map((event) => event.session);
    };
    const first = await sessionsOf();
    expect(first).toHaveLength(2);
    expect(new Set(first).size).toBe(2);
    expect(await sessionsOf()).toEqual(first);
  });
});
