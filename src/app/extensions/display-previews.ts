import type { DisplayConfig } from '../../config/displays.js';
import { LCD_SIZES, lcdFrame } from '../../devices/serial-lcd/index.js';
import type { DisplayScreens } from '../../domain/displays/screens.js';
import type { DisplayPreview } from '../../shared/payloads.js';

/**
 * What each display shows right now. A serial LCD's rows are the cells it holds (transliterated,
 * cut and padded as the device is sent them), so the preview shows what a customer reads, not what
 * the template said; an MQTT display's lines are what its screen app was given.
 */
export function displayPreviews(
  settings: readonly DisplayConfig[],
  screens: Pick<DisplayScreens, 'current' | 'ids'>,
): DisplayPreview[] {
  return screens.ids.map((id) => {
    const display = settings.find((candidate) => candidate.id === id);
    const current = screens.current(id);
    const shown = current ? { template: current.template, locale: current.locale, since: current.ts } : {};
    if (display?.driver === 'serial-lcd') {
      const { columns, rows } = LCD_SIZES[display.size];
      return {
        id,
        driver: 'serial-lcd',
        lcd: { columns, rows },
        ...shown,
        lines: lcdFrame(current?.lines ?? [], columns, rows),
      };
    }
    return { id, driver: 'mqtt', ...shown, lines: current?.lines ?? [] };
  });
}
