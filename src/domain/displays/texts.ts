import type { ScreenTemplateName } from '../../shared/screen.js';

export type TemplateTexts = Record<ScreenTemplateName, readonly string[]>;

/**
 * The shipped screen texts. The first lines carry what matters, because a 16x2 LCD shows two:
 * a line whose placeholders are all empty is left out, so "Hello {name}" disappears without consent.
 */
export const SHIPPED_TEXTS: Readonly<Record<string, TemplateTexts>> = {
  en: {
    idle: ['Hold your card', 'to the reader'],
    welcome: ['Welcome!', 'Hello {name}', 'Your usual: {usual}', 'The door is open'],
    take: ['Take what you like', 'then close the door'],
    settling: ['Thank you', 'Preparing receipt'],
    receipt: ['Total {total}', '{count} item(s)', '{items}'],
    refused: ['Sorry', '{reason}'],
    fault: ['Thank you', '{reason}'],
    alarm: ['Please pay', '{product}', '{reason}'],
    out_of_order: ['Out of order', 'Please ask staff'],
    temperature: ['Closed for now', 'Too warm inside'],
  },
  'zh-TW': {
    idle: ['請感應會員卡', '即可開門'],
    welcome: ['歡迎光臨', '{name} 您好', '常買：{usual}', '門已開啟'],
    take: ['請自由取用', '完成後請關門'],
    settling: ['謝謝惠顧', '正在結帳'],
    receipt: ['總計 {total}', '共 {count} 件', '{items}'],
    refused: ['抱歉', '{reason}'],
    fault: ['謝謝惠顧', '{reason}'],
    alarm: ['請先結帳', '{product}', '{reason}'],
    out_of_order: ['暫停服務', '請洽店員'],
    temperature: ['暫停販售', '櫃內溫度過高'],
  },
};

/** Reason codes shown on refused, fault and alarm screens; an unknown code is shown as it is. */
export const SHIPPED_REASONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  en: {
    unknown_card: 'Card not recognised',
    random_card_id: 'Use your store card',
    session_in_progress: 'Cabinet in use',
    out_of_order: 'Out of order',
    uncertain: 'Receipt follows',
    lock: 'Please ask staff',
    unpaid_exit: 'Not paid yet',
    temperature: 'Too warm inside',
    no_consent: '',
  },
  'zh-TW': {
    unknown_card: '無法辨識此卡',
    random_card_id: '請使用會員卡',
    session_in_progress: '使用中，請稍候',
    out_of_order: '暫停服務',
    uncertain: '收據稍後寄出',
    lock: '請洽店員',
    unpaid_exit: '尚未結帳',
    temperature: '櫃內溫度過高',
    no_consent: '',
  },
};
