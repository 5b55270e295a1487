import { describe, expect, it } from 'vitest';
import { displayPreviews } from '../../src/app/extensions/display-previews.js';
import { configSchema } from '../../src/config/schema.js';
import type { ScreenContent } from '../../src/shared/payloads.js';

const config = configSchema.parse({
  readers: [{ id: 'fridge', driver: 'thingmagic', port: 'replay:none' }],
  displays: [
    { id: 'door-lcd', driver: 'serial-lcd', port: '/dev/ttyAMA1', model: 'serlcd', size: '16x2' },
    { id: 'tablet', driver: 'mqtt' },
  ],
});

function screens(shown: Record<string, ScreenContent | undefined>) {
  return { ids: Object.keys(shown), current: (id: string) => shown[id] };
}

const content = (display: string, lines: string[]): ScreenContent => ({
  display,
  template: 'receipt',
  locale: 'fr',
  ts: '2026-12-07T10:00:00.000Z',
  lines,
});

describe("the console's display previews", () => {
  it('shows an LCD cell for cell as the device holds it: transliterated, cut, padded, rows beyond dropped', () => {
    const previews = displayPreviews(
      config.displays,
      screens({
        'door-lcd': content('door-lcd', ['Bienvenue, Zoë!', 'Total 4,50 €', 'a third line']),
        tablet: content('tablet', ['Bienvenue, Zoë!', 'Total 4,50 €', 'a third line']),
      }),
    );
    expect(previews).toEqual([
      {
        id: 'door-lcd',
        driver: 'serial-lcd',
        lcd: { columns: 16, rows: 2 },
        template: 'receipt',
        locale: 'fr',
        since: '2026-12-07T10:00:00.000Z',
        lines: ['Bienvenue, Zoe! ', 'Total 4,50 EUR  '],
      },
      {
        id: 'tablet',
        driver: 'mqtt',
        template: 'receipt',
        locale: 'fr',
        since: '2026-12-07T10:00:00.000Z',
        lines: ['Bienvenue, Zoë!', 'Total 4,50 €', 'a third line'],
      },
    ]);
  });

  it('shows a display with nothing on it yet as blank cells, and a long name cut at the last column', () => {
    expect(displayPreviews(config.displays, screens({ 'door-lcd': undefined }))).toEqual([
      {
        id: 'door-lcd',
        driver: 'serial-lcd',
        lcd: { columns: 16, rows: 2 },
        lines: [' '.repeat(16), ' '.repeat(16)],
      },
    ]);
    const [cut] = displayPreviews(
      config.displays,
      screens({ 'door-lcd': content('door-lcd', ['Sparkling water 500 ml']) }),
    );
    expect(cut?.lines[0]).toBe('Sparkling water ');
  });
});
