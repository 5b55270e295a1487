import type { DisplayConfig } from '../../config/displays.js';
import { isLcdText, SerialLcd, toLcdText } from '../../devices/serial-lcd/index.js';
import { DisplayScreens, type ScreenSink } from '../../domain/displays/screens.js';
import type { BusCommands } from '../../shared/extension.js';
import { defineFeature, type FeatureContext, type Services } from '../../shared/feature.js';
import type { DisplayPreview } from '../../shared/payloads.js';
import type { ByteTransport } from '../../transport/types.js';
import { displayPreviews } from './display-previews.js';

declare module '../../shared/feature.js' {
  interface Services {
    /** What each display shows now. */
    screens: Pick<DisplayScreens, 'current' | 'failures' | 'ids'> & {
      /** Each display's screen as its customers see it (the store console's previews). */
      previews(): DisplayPreview[];
    };
  }
}

interface Lcd {
  id: string;
  transport: ByteTransport;
  lcd: SerialLcd;
  link: { online: boolean };
}

/**
 * Displays: the `displays` section, plus an MQTT display for every cabinet `display` not listed there
 * (how cabinets named their screen before displays had a section of their own). Screens are asked
 * for on the bus (`display.show`), by cabinets and by rules; every display starts on idle. Serial
 * LCDs get their ports from `deviceIo` (a replay's record what they would have been sent).
 */
export const displaysFeature = defineFeature({
  name: 'displays',
  needs: ['deviceIo'],
  uses: ['retained'],
  provides: ['screens'],
  build: (input) => {
    const { config, bus, clock, logger } = input;
    const settings: DisplayConfig[] = [...config.displays];
    for (const cabinet of config.cabinets) {
      if (cabinet.display !== undefined && !settings.some((display) => display.id === cabinet.display)) {
        settings.push({ id: cabinet.display, driver: 'mqtt', locale: 'en', idleAfterMs: 20_000 });
      }
    }
    if (settings.length === 0) return undefined;
    const screens = new DisplayScreens({ clock, logger, texts: config.displayTexts });
    const lcds: Lcd[] = [];
    for (const display of settings) {
      if (display.driver === 'mqtt') {
        screens.add(display, mqttSink(input.uses.retained, display.id));
      } else {
        const lcd = lcdDevice(input, input.needs.deviceIo, display);
        lcds.push({ id: display.id, ...lcd });
        screens.add(display, lcd.sink);
      }
    }
    // From the build on: a feature that starts earlier (a session recovered) may show a screen.
    const unhandle = bus.handle('display.show', async (request: BusCommands['display.show']) => {
      screens.show(request);
    });
    const service: Services['screens'] = {
      get failures() {
        return screens.failures;
      },
      get ids() {
        return screens.ids;
      },
      current: (id) => screens.current(id),
      previews: () => displayPreviews(settings, screens),
    };
    return {
      provides: { screens: service },
      start() {
        for (const { id, transport, lcd, link } of lcds) {
          transport.start({
            data: () => {},
            // A display that was unplugged or lost power shows nothing: it is painted again in full.
            status: (status) => {
              link.online = status.state === 'online';
              if (!link.online) return;
              lcd.invalidate();
              screens.repaint(id);
            },
          });
        }
        for (const id of screens.ids)
          if (!screens.current(id)) screens.show({ display: id, template: 'idle' });
      },
      async stop() {
        unhandle();
        screens.stop();
        await Promise.all(lcds.map(({ transport }) => transport.stop()));
      },
    };
  },
});

function mqttSink(retained: Services['retained'] | undefined, id: string): ScreenSink {
  return {
    present: async (content) => retained?.publish({ kind: 'display', display: id }, content),
  };
}

function lcdDevice(
  context: FeatureContext,
  io: Services['deviceIo'],
  display: Extract<DisplayConfig, { driver: 'serial-lcd' }>,
): Omit<Lcd, 'id'> & { sink: ScreenSink } {
  const transport = io.open({ id: display.id, port: display.port, baudRate: display.baudRate });
  const lcd = new SerialLcd({
    target: `${display.port}@${display.baudRate}`,
    model: display.model,
    size: display.size,
    write: (bytes: Uint8Array) => transport.write(bytes),
    clock: context.clock,
  });
  const link = { online: false };
  const sink: ScreenSink = {
    fits: isLcdText,
    transliterate: toLcdText,
    // A display that is not connected is painted when it is (the screen is kept as the current one):
    // asking it now would only fail.
    present: (content) => (link.online ? lcd.show(content.lines.map(toLcdText)) : Promise.resolve()),
  };
  return { transport, lcd, link, sink };
}
