import type { DisplayConfig } from '../../config/displays.js';
import { isLcdText, SerialLcd, toLcdText } from '../../devices/serial-lcd/index.js';
import { DisplayScreens, type ScreenSink } from '../../domain/displays/screens.js';
import type { BusCommands } from '../../shared/extension.js';
import { createTransport } from '../../transport/create.js';
import type { ByteTransport } from '../../transport/types.js';
import type { ExtensionContext, ExtensionFactory } from '../context.js';

const screensByContext = new WeakMap<ExtensionContext, DisplayScreens>();

/** The displays of this gateway, for a feature that wants to know what one shows (tests, status). */
export function screensOf(context: ExtensionContext): DisplayScreens | undefined {
  return screensByContext.get(context);
}

/**
 * Displays: the `displays` section, plus an MQTT display for every cabinet `display` not listed there
 * (how cabinets named their screen before displays had a section of their own). Screens are asked
 * for on the bus (`display.show`), by cabinets and by rules; every display starts on idle.
 */
export const displays: ExtensionFactory = (context) => {
  const { config, bus, clock, logger, mode } = context;
  const settings: DisplayConfig[] = [...config.displays];
  for (const cabinet of config.cabinets) {
    if (cabinet.display !== undefined && !settings.some((display) => display.id === cabinet.display)) {
      settings.push({ id: cabinet.display, driver: 'mqtt', locale: 'en', idleAfterMs: 20_000 });
    }
  }
  if (settings.length === 0) return undefined;
  const screens = new DisplayScreens({ clock, logger, texts: config.displayTexts });
  screensByContext.set(context, screens);
  const lcds: Array<{ id: string; transport: ByteTransport; lcd: SerialLcd; link: { online: boolean } }> = [];
  for (const display of settings) {
    if (display.driver === 'mqtt') {
      screens.add(display, mqttSink(context, display.id));
    } else {
      const lcd = lcdDevice(context, display);
      lcds.push({ id: display.id, ...lcd });
      screens.add(display, lcd.sink);
    }
  }
  const unhandle = bus.handle('display.show', async (request: BusCommands['display.show']) => {
    screens.show(request);
  });
  return {
    name: 'displays',
    start() {
      if (mode === 'run') {
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
      }
      for (const id of screens.ids) if (!screens.current(id)) screens.show({ display: id, template: 'idle' });
    },
    async stop() {
      unhandle();
      screens.stop();
      await Promise.all(lcds.map(({ transport }) => transport.stop()));
    },
  };
};

function mqttSink(context: ExtensionContext, id: string): ScreenSink {
  return {
    present: async (content) => {
      const link = context.mqtt;
      link?.retain(link.topics.display(id), content);
    },
  };
}

function lcdDevice(
  context: ExtensionContext,
  display: Extract<DisplayConfig, { driver: 'serial-lcd' }>,
): { transport: ByteTransport; lcd: SerialLcd; link: { online: boolean }; sink: ScreenSink } {
  const transport = createTransport(
    { port: display.port, baudRate: display.baudRate },
    { clock: context.clock, logger: context.logger.child({ display: display.id }) },
  );
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
    // A replay writes to no device. A display that is not connected is painted when it is (the
    // screen is kept as the current one): asking it now would only fail.
    present: (content) =>
      context.mode === 'run' && link.online ? lcd.show(content.lines.map(toLcdText)) : Promise.resolve(),
  };
  return { transport, lcd, link, sink };
}
