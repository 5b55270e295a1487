import type { Language } from './texts.js';

/**
 * The Review and Sessions pages' words about how much is listed; `{n}` is a count. Kept beside
 * those pages (texts.ts holds the rest) and in the same two languages.
 */
const en = {
  toReview: '{n} to review',
  showMore: 'Show more',
  reviewRest: 'More to review than shown: decide these to see the rest.',
  latestOnly: 'Showing the latest {n}; narrow the filters (cabinet, customer, day) to see older ones.',
  customerHint: 'exact reference, e.g. cust-0017',
};

type ListTextKey = keyof typeof en;

const zhTW: Record<ListTextKey, string> = {
  toReview: '{n} 筆待確認',
  showMore: '顯示更多',
  reviewRest: '待確認的交易比顯示的多：先處理這些，才會看到其餘的。',
  latestOnly: '只顯示最近 {n} 筆；請縮小篩選條件（販賣櫃、顧客、日期）以查看更早的交易。',
  customerHint: '完整顧客編號，例如 cust-0017',
};

export function listText(language: Language, key: ListTextKey, n?: number): string {
  const text = (language === 'zh-TW' ? zhTW : en)[key];
  return n === undefined ? text : text.replace('{n}', String(n));
}
