import type { ScreenData, ScreenTemplateName } from '../../shared/screen.js';
import { formatPrice } from '../catalog/money.js';
import { SHIPPED_REASONS, SHIPPED_TEXTS, type TemplateTexts } from './texts.js';

export type ConfiguredTexts = Readonly<
  Record<string, Partial<Record<ScreenTemplateName, readonly string[]>>>
>;

export interface RenderOptions {
  locale: string;
  texts: ConfiguredTexts;
  /**
   * A device that shows only this: a screen that does not fit is rendered again in English, and a
   * value that still does not fit (a name in Chinese) is left out rather than shown as garbage.
   */
  fits?: (text: string) => boolean;
  /** Makes a value printable on the device (é → e), tried before a value is given up. */
  transliterate?: (text: string) => string;
}

const PLACEHOLDER = /\{(name|cabinet|total|count|reason|tag|product|usual)\}/g;
const FALLBACK_LOCALE = 'en';

/** The lines of a screen in the display's language (configured text first, then the shipped one). */
export function renderScreen(
  template: ScreenTemplateName,
  data: ScreenData,
  options: RenderOptions,
): string[] {
  const lines = renderIn(options.locale, template, data, options);
  if (!options.fits || options.locale === FALLBACK_LOCALE || lines.every(options.fits)) return lines;
  return renderIn(FALLBACK_LOCALE, template, data, options);
}

function renderIn(
  locale: string,
  template: ScreenTemplateName,
  data: ScreenData,
  options: RenderOptions,
): string[] {
  const source = templateText(locale, template, options.texts);
  const printable = (value: string | undefined): string => {
    if (value === undefined || value === '') return '';
    if (!options.fits || options.fits(value)) return value;
    const plain = options.transliterate?.(value) ?? '';
    return plain !== '' && options.fits(plain) && !plain.includes('?') ? plain : '';
  };
  const currency = data.currency ?? '';
  const values: Record<string, string> = {
    name: printable(data.name),
    cabinet: printable(data.cabinet),
    total:
      data.total === undefined || currency === ''
        ? ''
        : printable(`${formatPrice(data.total, currency)} ${currency}`),
    count: data.items === undefined ? '' : String(data.items.length),
    reason: printable(reasonText(locale, data.reason)),
    tag: data.tag ?? '',
    product: printable(data.product),
    usual: (data.usual ?? [])
      .map(printable)
      .filter((name) => name !== '')
      .join(', '),
  };
  const out: string[] = [];
  for (const line of source) {
    if (line.trim() === '{items}') {
      for (const item of data.items ?? []) {
        const name = printable(item.name) || item.sku || item.tag;
        const price =
          item.unitPrice === undefined || currency === '' ? '' : formatPrice(item.unitPrice, currency);
        out.push(price === '' ? name : `${name} ${printable(price)}`);
      }
      continue;
    }
    let used = 0;
    let filled = 0;
    const text = line.replace(PLACEHOLDER, (_match, key: string) => {
      used += 1;
      const value = values[key] ?? '';
      if (value !== '') filled += 1;
      return value;
    });
    if (used > 0 && filled === 0) continue;
    out.push(text);
  }
  return out;
}

function templateText(
  locale: string,
  template: ScreenTemplateName,
  texts: ConfiguredTexts,
): readonly string[] {
  const language = locale.split('-')[0] ?? locale;
  const shipped: TemplateTexts | undefined = SHIPPED_TEXTS[locale] ?? SHIPPED_TEXTS[language];
  return (
    texts[locale]?.[template] ??
    shipped?.[template] ??
    texts[FALLBACK_LOCALE]?.[template] ??
    (SHIPPED_TEXTS[FALLBACK_LOCALE] as TemplateTexts)[template]
  );
}

function reasonText(locale: string, reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  const reasons = SHIPPED_REASONS[locale] ?? SHIPPED_REASONS[FALLBACK_LOCALE];
  return reasons?.[reason] ?? reason;
}
