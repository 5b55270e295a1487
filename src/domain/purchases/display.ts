import type { Logger } from '../../observability/logger.js';
import type { Bus } from '../../shared/extension.js';
import type { ScreenData, ScreenTemplateName } from '../../shared/screen.js';
import type { SessionRecord } from './session-store.js';

/**
 * A cabinet's screen: asks the displays (on the bus) for a template, with what the session knows.
 * The text, its language and the device are the displays' business. A cabinet without a display
 * shows nothing; a display that cannot be driven is logged, and the session goes on.
 */
export class CabinetScreen {
  constructor(
    private readonly displayId: string | undefined,
    private readonly cabinet: string,
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  show(template: ScreenTemplateName, session: SessionRecord | undefined, data: ScreenData = {}): void {
    const display = this.displayId;
    if (display === undefined) return;
    this.bus
      .command('display.show', {
        display,
        template,
        ...(session ? { session: session.id } : {}),
        data: { cabinet: this.cabinet, ...data },
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error, cabinet: this.cabinet, display, template }, 'screen not shown');
      });
  }
}
