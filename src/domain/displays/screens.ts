import type { Logger } from '../../observability/logger.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { ScreenContent } from '../../shared/payloads.js';
import type { ScreenData, ScreenTemplateName } from '../../shared/screen.js';

export type { ScreenContent };

import { formatPrice } from '../catalog/money.js';
import { type ConfiguredTexts, renderScreen } from './render.js';

/** Where a display's screens go: retained MQTT JSON, or the cells of an LCD. */
export interface ScreenSink {
  present(content: ScreenContent): Promise<void>;
  /** Which text the device can show at all (an LCD: printable ASCII). */
  fits?: (text: string) => boolean;
  transliterate?: (text: string) => string;
}

export interface DisplaySettings {
  id: string;
  locale: string;
  idleAfterMs: number;
}

export interface ShowRequest {
  display: string;
  template: ScreenTemplateName;
  session?: string;
  data?: ScreenData;
  forMs?: number;
}

/** Screens that stay until something else is shown: waiting, a session in progress, a fault. */
const STAYS: ReadonlySet<ScreenTemplateName> = new Set([
  'idle',
  'take',
  'settling',
  'out_of_order',
  'temperature',
]);

interface Display {
  settings: DisplaySettings;
  sink: ScreenSink;
  current: ScreenContent | undefined;
  idleTimer: TimerHandle | undefined;
}

/**
 * Every display's current screen: renders a request in the display's language, hands it to the
 * display's sink, and brings the display back to idle after a receipt, a refusal or an alarm. A sink
 * that fails (an unplugged LCD) is logged; the screen is kept and shown again by `repaint`.
 */
export class DisplayScreens {
  private readonly displays = new Map<string, Display>();
  failures = 0;

  constructor(private readonly deps: { clock: Clock; logger: Logger; texts: ConfiguredTexts }) {}

  add(settings: DisplaySettings, sink: ScreenSink): void {
    this.displays.set(settings.id, { settings, sink, current: undefined, idleTimer: undefined });
  }

  has(id: string): boolean {
    return this.displays.has(id);
  }

  get ids(): string[] {
    return [...this.displays.keys()];
  }

  current(id: string): ScreenContent | undefined {
    return this.displays.get(id)?.current;
  }

  show(request: ShowRequest): ScreenContent {
    const display = this.displays.get(request.display);
    if (!display) {
      throw new Error(`unknown display "${request.display}" (displays: ${this.ids.join(', ') || 'none'})`);
    }
    const { settings, sink } = display;
    const data = request.data ?? {};
    const lines = renderScreen(request.template, data, {
      locale: settings.locale,
      texts: this.deps.texts,
      ...(sink.fits ? { fits: sink.fits } : {}),
      ...(sink.transliterate ? { transliterate: sink.transliterate } : {}),
    });
    const content: ScreenContent = {
      display: settings.id,
      template: request.template,
      locale: settings.locale,
      ts: new Date(this.deps.clock.now()).toISOString(),
      ...(request.session === undefined ? {} : { session: request.session }),
      lines,
    };
    if (request.template === 'receipt' && data.items && data.total !== undefined && data.currency) {
      const currency = data.currency;
      content.items = data.items.map((item) => ({
        name: item.name ?? item.sku ?? item.tag,
        price: formatPrice(item.unitPrice ?? 0, currency),
      }));
      content.total = data.total;
      content.currency = currency;
    }
    display.current = content;
    this.clearIdle(display);
    if (!STAYS.has(request.template)) {
      display.idleTimer = this.deps.clock.setTimeout(() => {
        display.idleTimer = undefined;
        if (display.current === content) this.show({ display: settings.id, template: 'idle' });
      }, request.forMs ?? settings.idleAfterMs);
    }
    this.present(display, content);
    return content;
  }

  /** Shows the current screen again (a display that reconnected may have lost it). */
  repaint(id: string): void {
    const display = this.displays.get(id);
    if (display?.current) this.present(display, display.current);
  }

  stop(): void {
    for (const display of this.displays.values()) this.clearIdle(display);
  }

  private present(display: Display, content: ScreenContent): void {
    display.sink.present(content).catch((error: unknown) => {
      this.failures += 1;
      this.deps.logger.warn(
        { err: error, display: display.settings.id, template: content.template },
        'display not updated',
      );
    });
  }

  private clearIdle(display: Display): void {
    if (display.idleTimer !== undefined) this.deps.clock.clearTimeout(display.idleTimer);
    display.idleTimer = undefined;
  }
}
