import { describe, expect, it } from 'vitest';
import { problemLinesOf } from '../kits/config/problems.js';

/** A fridge whose customers' cards are read by a PN532, polled as `settings` say, at the zone `cards`. */
function nfcFridge(settings: Record<string, unknown>, cardsDepartAfterMs: number) {
  return {
    readers: [
      { id: 'shelves', driver: 'r2000', port: '/dev/ttyUSB0', zone: 'fridge' },
      { id: 'nfc', driver: 'pn532', port: '/dev/ttyUSB1', zone: 'cards', settings },
    ],
    zones: [{ id: 'cards', departAfterMs: cardsDepartAfterMs }],
    sensors: [{ id: 'io', driver: 'lines', port: '/dev/ttyACM0' }],
    actuators: [{ id: 'lock', driver: 'lines', device: 'io', channel: 'lock' }],
    cabinets: [
      { id: 'c', zone: 'fridge', currency: 'EUR', cardReader: 'nfc', door: { sensor: 'io' }, lock: 'lock' },
    ],
  };
}

/**
 * A card reader that is polled reads a card lying on it only when asked, like any polled reader. If
 * its zone lets the card depart between two answers, the card arrives again at the next poll: while
 * a session runs that is a refusal on the customer's screen, and once the session has ended (the
 * door never opened, or the purchase done) it is a new session that unlocks the door for whoever
 * comes next, charged to the card left on the reader. Seen on a real pty: a PN532 polled every 2 s
 * in a zone departing after 1 s unlocked the door every 4 s for one card left lying there.
 */
describe('a polled card reader and its zone', () => {
  it("refuses polls slower than the card zone's departures", () => {
    expect(problemLinesOf(nfcFridge({ pollIntervalMs: 2000 }, 1000))).toEqual([
      'readers[1].settings.pollIntervalMs: 2000 ms between polls plus up to 1000 ms for an answer is not shorter than zone "cards"\'s departAfterMs (1000): a card lying on it would depart between two answers and be presented again at the next',
    ]);
  });

  it('takes the PN532 defaults with the default departures, and a zone that outlasts its polls', () => {
    expect(problemLinesOf(nfcFridge({}, 3000))).toEqual([]);
    expect(problemLinesOf(nfcFridge({ pollIntervalMs: 2000 }, 3500))).toEqual([]);
  });
});
