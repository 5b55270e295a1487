import type { Clock } from '../../shared/clock.js';
import type { TaggedItem } from '../../shared/commerce.js';
import { formatPrice } from '../catalog/money.js';
import type { SessionRecord } from './session-store.js';

export type ScreenTemplate = 'idle' | 'welcome' | 'take' | 'settling' | 'receipt' | 'refused' | 'fault';

export interface ScreenExtra {
  items?: readonly TaggedItem[];
  total?: number;
  currency?: string;
  reason?: string;
}

/** What the cabinet's MQTT display shows (retained JSON; a screen app renders it in any language). */
export interface ScreenContent {
  display: string;
  template: ScreenTemplate;
  ts: string;
  session?: string;
  lines: string[];
  items?: Array<{ name: string; price: string }>;
  total?: number;
  currency?: string;
}

const REFUSALS: Record<string, string> = {
  unknown_card: 'Card not recognised',
  session_in_progress: 'Please wait: the cabinet is in use',
};

/** Builds the screens of one cabinet and hands them to `publish` (the MQTT display, if any). */
export class CabinetScreen {
  constructor(
    private readonly displayId: string | undefined,
    private readonly clock: Clock,
    private readonly publish: (displayId: string, content: ScreenContent) => void,
  ) {}

  show(
    template: ScreenTemplate,
    session: SessionRecord | undefined,
    displayName?: string,
    extra: ScreenExtra = {},
  ): void {
    if (this.displayId === undefined) return;
    const content: ScreenContent = {
      display: this.displayId,
      template,
      ts: new Date(this.clock.now()).toISOString(),
      ...(session ? { session: session.id } : {}),
      lines: linesOf(template, displayName, extra),
    };
    if (template === 'receipt' && extra.items && extra.total !== undefined && extra.currency) {
      const currency = extra.currency;
      content.items = extra.items.map((item) => ({
        name: item.name ?? item.sku ?? item.tag,
        price: formatPrice(item.unitPrice ?? 0, currency),
      }));
      content.total = extra.total;
      content.currency = currency;
    }
    this.publish(this.displayId, content);
  }
}

function linesOf(template: ScreenTemplate, displayName: string | undefined, extra: ScreenExtra): string[] {
  switch (template) {
    case 'idle':
      return ['Hold your card to the reader'];
    case 'welcome':
      return [displayName ? `Welcome, ${displayName}` : 'Welcome', 'The door is open'];
    case 'take':
      return ['Take what you like', 'Close the door when you are done'];
    case 'settling':
      return ['Thank you', 'Preparing your receipt'];
    case 'receipt': {
      const currency = extra.currency ?? '';
      const items = (extra.items ?? []).map(
        (item) => `${item.name ?? item.sku ?? item.tag} ${formatPrice(item.unitPrice ?? 0, currency)}`,
      );
      return items.length === 0
        ? ['Nothing taken', 'No charge']
        : [...items, `Total ${formatPrice(extra.total ?? 0, currency)}`];
    }
    case 'refused':
      return [REFUSALS[extra.reason ?? ''] ?? 'Sorry, not possible now'];
    case 'fault':
      return extra.reason === 'uncertain'
        ? ['Thank you', 'Your receipt will follow']
        : ['Out of order', 'Please ask the staff'];
  }
}
