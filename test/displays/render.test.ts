import { describe, expect, it } from 'vitest';
import { isLcdText, toLcdText } from '../../src/devices/serial-lcd/text.js';
import { renderScreen } from '../../src/domain/displays/render.js';
import type { TaggedItem } from '../../src/shared/commerce.js';

const cola: TaggedItem = { tag: 'AA01', sku: 'COLA', name: 'Cola 0.5 l', unitPrice: 250, currency: 'EUR' };
const juice: TaggedItem = { tag: 'AA02', sku: 'OJ', name: 'Orange juice', unitPrice: 220, currency: 'EUR' };
const lcd = { fits: isLcdText, transliterate: toLcdText };

describe('renderScreen', () => {
  it('greets by name and shows the usual items with consent, and leaves those lines out without', () => {
    const withConsent = renderScreen(
      'welcome',
      { name: 'Ana', usual: ['Cola 0.5 l', 'Orange juice'] },
      {
        locale: 'en',
        texts: {},
      },
    );
    expect(withConsent).toEqual([
      'Welcome!',
      'Hello Ana',
      'Your usual: Cola 0.5 l, Orange juice',
      'The door is open',
    ]);
    expect(renderScreen('welcome', {}, { locale: 'en', texts: {} })).toEqual([
      'Welcome!',
      'The door is open',
    ]);
  });

  it('lists the receipt: total with its currency first, then one line per item', () => {
    const lines = renderScreen(
      'receipt',
      { items: [cola, juice], total: 470, currency: 'EUR' },
      { locale: 'en', texts: {} },
    );
    expect(lines).toEqual(['Total 4.70 EUR', '2 item(s)', 'Cola 0.5 l 2.50', 'Orange juice 2.20']);
  });

  it('speaks the display locale, reasons included', () => {
    expect(renderScreen('refused', { reason: 'unknown_card' }, { locale: 'zh-TW', texts: {} })).toEqual([
      '抱歉',
      '無法辨識此卡',
    ]);
    expect(renderScreen('refused', { reason: 'unknown_card' }, { locale: 'en', texts: {} })).toEqual([
      'Sorry',
      'Card not recognised',
    ]);
    // An unknown code is shown as it is rather than hidden.
    expect(
      renderScreen('refused', { reason: 'reader_fault: r1 offline' }, { locale: 'en', texts: {} }),
    ).toEqual(['Sorry', 'reader_fault: r1 offline']);
  });

  it('gives an LCD readable English, never mojibake, for a Chinese locale and names', () => {
    const lines = renderScreen(
      'welcome',
      { name: '王小明', usual: ['可樂', 'Café crème'] },
      { locale: 'zh-TW', texts: {}, ...lcd },
    );
    expect(lines).toEqual(['Welcome!', 'Your usual: Cafe creme', 'The door is open']);
    expect(lines.every(isLcdText)).toBe(true);
    expect(renderScreen('welcome', { name: 'José' }, { locale: 'zh-TW', texts: {}, ...lcd })).toEqual([
      'Welcome!',
      'Hello Jose',
      'The door is open',
    ]);
  });

  it('uses configured texts first, per locale, and falls back to the shipped ones', () => {
    const texts = { en: { idle: ['Tap to shop'] }, 'zh-TW': { idle: ['感應開門'] } };
    expect(renderScreen('idle', {}, { locale: 'en', texts })).toEqual(['Tap to shop']);
    expect(renderScreen('idle', {}, { locale: 'zh-TW', texts })).toEqual(['感應開門']);
    expect(renderScreen('take', {}, { locale: 'zh-TW', texts })).toEqual(['請自由取用', '完成後請關門']);
    // A locale nobody ships nor configures: English.
    expect(renderScreen('out_of_order', {}, { locale: 'fr', texts })).toEqual([
      'Out of order',
      'Please ask staff',
    ]);
    // A configured zh-TW text on an LCD: English ASCII, from the configured English text.
    expect(renderScreen('idle', {}, { locale: 'zh-TW', texts, ...lcd })).toEqual(['Tap to shop']);
  });
});
