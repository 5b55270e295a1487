import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../observability/logger.js';
import { VirtualClock } from '../../shared/clock.js';
import { DisplayScreens, type ScreenContent } from './screens.js';

const START = Date.parse('2026-11-30T10:00:00.000Z');

function setup(fail = false) {
  const clock = new VirtualClock(START);
  const shown: ScreenContent[] = [];
  const screens = new DisplayScreens({ clock, logger: silentLogger(), texts: {} });
  screens.add(
    { id: 'fridge', locale: 'en', idleAfterMs: 20_000 },
    {
      present: async (content) => (fail ? Promise.reject(new Error('unplugged')) : void shown.push(content)),
    },
  );
  return { clock, shown, screens };
}

describe('DisplayScreens', () => {
  it('goes back to idle after a receipt, but keeps a session screen until it is replaced', () => {
    const { clock, shown, screens } = setup();
    screens.show({ display: 'fridge', template: 'take', session: 's1' });
    clock.advanceTo(START + 60_000);
    expect(shown.map((content) => content.template)).toEqual(['take']);
    screens.show({
      display: 'fridge',
      template: 'receipt',
      session: 's1',
      forMs: 5000,
      data: { items: [], total: 0, currency: 'EUR' },
    });
    clock.advanceTo(START + 64_999);
    expect(screens.current('fridge')?.template).toBe('receipt');
    clock.advanceTo(START + 65_000);
    expect(shown.map((content) => content.template)).toEqual(['take', 'receipt', 'idle']);
    expect(shown[1]).toMatchObject({ session: 's1', total: 0, currency: 'EUR', items: [] });
  });

  it('does not let an old timer replace a newer screen', () => {
    const { clock, shown, screens } = setup();
    screens.show({ display: 'fridge', template: 'refused', data: { reason: 'unknown_card' } });
    clock.advanceTo(START + 10_000);
    screens.show({ display: 'fridge', template: 'take' });
    clock.advanceTo(START + 40_000);
    expect(shown.map((content) => content.template)).toEqual(['refused', 'take']);
  });

  it('names the displays it has when asked for another, and survives a display that fails', async () => {
    const { screens } = setup(true);
    expect(() => screens.show({ display: 'door', template: 'idle' })).toThrow(
      /unknown display "door" \(displays: fridge\)/,
    );
    screens.show({ display: 'fridge', template: 'idle' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(screens.failures).toBe(1);
    expect(screens.current('fridge')?.template).toBe('idle');
  });
});
