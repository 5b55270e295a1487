import { describe, expect, it } from 'vitest';
import type { ZodError } from 'zod';
import { readerSettingsChecks } from '../../src/app/reader-settings-checks.js';
import { configFromCapture } from '../../src/config/from-capture.js';
import { formatPath } from '../../src/shared/issue-messages.js';
import { problemLinesOf } from '../kits/config/problems.js';

const reader = (driver: string, settings: Record<string, unknown> = {}, extra: object = {}) => ({
  readers: [{ id: 'r', driver, port: '/dev/ttyUSB0', settings, ...extra }],
});

describe('reader settings, by the family of the reader', () => {
  it('takes each family its own settings', () => {
    expect(
      problemLinesOf(reader('thingmagic', { region: 'EU3', readPowerDbm: 27, antennas: [1, 2] })),
    ).toEqual([]);
    expect(
      problemLinesOf(
        reader('r2000', {
          region: 'ETSI',
          readPowerDbm: 30,
          antennas: [1, 2, 3, 4],
          address: 1,
          session: 1,
          target: 'B',
          roundsPerPoll: 1,
          pollIntervalMs: 100,
        }),
      ),
    ).toEqual([]);
    expect(
      problemLinesOf(
        reader('chafon', {
          region: 'EU',
          readPowerDbm: 20,
          mode: 'answer',
          scanTimeMs: 500,
          pollIntervalMs: 200,
        }),
      ),
    ).toEqual([]);
    expect(problemLinesOf(reader('chafon', { mode: 'scan' }))).toEqual([]);
    expect(problemLinesOf(reader('pn532', { pollIntervalMs: 100 }))).toEqual([]);
    expect(problemLinesOf(reader('em4100-ascii'))).toEqual([]);
  });

  it("refuses another family's region, naming the value and the family", () => {
    expect(problemLinesOf(reader('r2000', { region: 'EU' }))).toEqual([
      'readers[0].settings.region: Invalid option: expected one of "FCC"|"ETSI"|"CHN", got "EU" (r2000)',
    ]);
    expect(problemLinesOf(reader('chafon', { region: 'ETSI' }))).toEqual([
      expect.stringMatching(/^readers\[0\]\.settings\.region: .*"US".*, got "ETSI" \(chafon\)$/),
    ]);
    expect(problemLinesOf(reader('thingmagic', { region: 'FCC' }))).toEqual([
      expect.stringMatching(/^readers\[0\]\.settings\.region: .*"NA".*, got "FCC" \(thingmagic\)$/),
    ]);
  });

  it('refuses a setting the family does not have, listing those it has', () => {
    expect(problemLinesOf(reader('pn532', { readPowerDbm: 20 }))).toEqual([
      'readers[0].settings.readPowerDbm: pn532 readers have no "readPowerDbm" setting (theirs: pollIntervalMs)',
    ]);
    expect(problemLinesOf(reader('em4100-ascii', { pollIntervalMs: 100 }))).toEqual([
      'readers[0].settings.pollIntervalMs: em4100-ascii readers have no "pollIntervalMs" setting (theirs: none)',
    ]);
    expect(problemLinesOf(reader('chafon', { session: 1 }))).toEqual([
      expect.stringMatching(/^readers\[0\]\.settings\.session: chafon readers have no "session" setting/),
    ]);
    expect(problemLinesOf(reader('thingmagic', { mode: 'scan' }))).toHaveLength(1);
  });

  it('holds each value to the range its protocol allows', () => {
    expect(problemLinesOf(reader('r2000', { readPowerDbm: 33 }))).toEqual([]);
    expect(problemLinesOf(reader('r2000', { readPowerDbm: 34 }))).toEqual([
      expect.stringMatching(/^readers\[0\]\.settings\.readPowerDbm: .*got 34/),
    ]);
    expect(problemLinesOf(reader('r2000', { readPowerDbm: 20.5 }))).toEqual([
      expect.stringMatching(/^readers\[0\]\.settings\.readPowerDbm: .*got 20\.5 \(r2000\)/),
    ]);
    expect(problemLinesOf(reader('chafon', { readPowerDbm: 31 }))).toEqual([
      expect.stringMatching(/^readers\[0\]\.settings\.readPowerDbm: .*got 31 \(chafon\)/),
    ]);
    expect(problemLinesOf(reader('chafon', { scanTimeMs: 350 }))).toEqual([
      expect.stringMatching(/^readers\[0\]\.settings\.scanTimeMs: .*multiple of 100/),
    ]);
    expect(problemLinesOf(reader('chafon', { scanTimeMs: 200 }))).toHaveLength(1);
    expect(problemLinesOf(reader('pn532', { pollIntervalMs: 20 }))).toEqual([
      expect.stringMatching(/^readers\[0\]\.settings\.pollIntervalMs: .*got 20 \(pn532\)/),
    ]);
    expect(problemLinesOf(reader('r2000', { antennas: [9] }))).toEqual([
      expect.stringMatching(/^readers\[0\]\.settings\.antennas\[0\]: .*got 9 \(r2000\)/),
    ]);
    expect(problemLinesOf(reader('r2000', { session: 4 }))).toHaveLength(1);
  });

  it("refuses what the reader's own driver would refuse at start-up", () => {
    expect(problemLinesOf(reader('r2000', { target: 'B' }))).toEqual([
      'readers[0].settings: R2000 target needs a session (0..3)',
    ]);
    expect(problemLinesOf(reader('r2000', { antennas: [1, 5] }))).toEqual([
      'readers[0].settings: R2000 antenna 5 cannot be one of several antennas: fast switching covers 1..4',
    ]);
    expect(problemLinesOf(reader('r2000', { antennas: [6] }))).toEqual([]);
  });

  it("refuses a poll slower than its zone's departures: the tags would leave between two answers", () => {
    expect(problemLinesOf(reader('chafon', { pollIntervalMs: 2000 }, { zone: 'fridge' }))).toEqual([
      'readers[0].settings.pollIntervalMs: 2000 ms between polls plus up to 1500 ms for an answer is not shorter than zone "fridge"\'s departAfterMs (3000): its tags would depart between two answers',
    ]);
    expect(
      problemLinesOf({
        ...reader('chafon', { pollIntervalMs: 2000 }, { zone: 'fridge' }),
        zones: [{ id: 'fridge', departAfterMs: 10_000 }],
      }),
    ).toEqual([]);
  });

  it('lets a cabinet take its card from any card reader, and from no reader of goods', () => {
    const fridge = (cardDriver: string) => ({
      readers: [
        { id: 'shelves', driver: 'r2000', port: '/dev/ttyUSB0', zone: 'fridge' },
        { id: 'cards', driver: cardDriver, port: '/dev/ttyUSB1' },
      ],
      sensors: [{ id: 'io', driver: 'lines', port: '/dev/ttyACM0' }],
      actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock' }],
      cabinets: [
        {
          id: 'c',
          zone: 'fridge',
          currency: 'EUR',
          cardReader: 'cards',
          door: { sensor: 'io' },
          lock: 'lock',
        },
      ],
    });
    expect(problemLinesOf(fridge('pn532'))).toEqual([]);
    expect(problemLinesOf(fridge('em4100-ascii'))).toEqual([]);
    expect(problemLinesOf(fridge('chafon'))).toEqual([
      'cabinets[0].cardReader: "cards" is a chafon reader, which reads goods, not cards (card readers: pn532, em4100-ascii)',
    ]);
  });

  it("refuses a customer's card that the gateway's filters would drop before any cabinet sees it", () => {
    const fridge = (include: string[]) => ({
      readers: [{ id: 'nfc', driver: 'pn532', port: '/dev/ttyAMA0' }],
      filters: { include },
      customers: [{ card: '04A224B2C45E80', reference: 'c1' }],
    });
    expect(problemLinesOf(fridge(['urn:epc:pat:sgtin-96:*.*.*.*']))).toEqual([
      'customers[0].card: "04A224B2C45E80" is dropped by filters.include/exclude, which card readers\' reads pass too: add a hex prefix of your cards to filters.include',
    ]);
    expect(problemLinesOf(fridge(['urn:epc:pat:sgtin-96:*.*.*.*', '04']))).toEqual([]);
    expect(problemLinesOf(fridge([]))).toEqual([]);
  });

  it('plays a capture of any of the new families without a config', () => {
    const config = configFromCapture([
      { id: 'uhf', driver: 'r2000' },
      { id: 'desk', driver: 'chafon' },
      { id: 'nfc', driver: 'pn532' },
    ]);
    expect(config.readers.map((r) => r.driver)).toEqual(['r2000', 'chafon', 'pn532']);
  });

  it('replays a capture with the settings its header recorded (a Chafon in scan mode is never polled)', () => {
    const config = configFromCapture([{ id: 'desk', driver: 'chafon', settings: { mode: 'scan' } }]);
    expect(config.readers[0]?.settings).toEqual({ mode: 'scan' });
    // Checked as a config's settings, and reported on the header's terms.
    const refused = (() => {
      try {
        configFromCapture(
          [
            { id: 'scale', driver: 'openscale' },
            { id: 'desk', driver: 'chafon', settings: { session: 1 } },
          ],
          'replay',
          readerSettingsChecks,
        );
      } catch (error) {
        return (error as ZodError).issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
      }
      return [];
    })();
    expect(refused).toEqual([
      'ports[1].settings.session: chafon readers have no "session" setting (theirs: region, readPowerDbm, address, mode, scanTimeMs, pollIntervalMs)',
    ]);
  });
});
