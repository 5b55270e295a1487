/** The console's words, in English and Traditional Chinese; a missing key falls back to English. */
export const LANGUAGES = ['en', 'zh-TW'] as const;
export type Language = (typeof LANGUAGES)[number];

const en = {
  title: 'Store console',
  now: 'Now',
  events: 'Events',
  cabinets: 'Cabinets',
  devices: 'Readers and devices',
  alarms: 'Open alarms',
  noAlarms: 'No alarms',
  door: 'Door',
  lock: 'Lock',
  session: 'Session',
  noSession: 'No session',
  lastSale: 'Last',
  customer: 'Customer',
  since: 'since',
  items: 'items',
  outbox: 'Events waiting to be sent',
  broker: 'Broker',
  connected: 'connected',
  disconnected: 'disconnected',
  noBroker: 'none configured',
  health: 'Health',
  live: 'live',
  reconnecting: 'reconnecting…',
  filter: 'Filter by type',
  noEvents: 'No events yet',
  login: 'Sign in',
  token: 'Access token',
  wrongToken: 'Wrong token',
  off: 'The console is off on this listener (no access token is configured).',
  language: 'Language',
  state_online: 'online',
  state_offline: 'offline',
  state_stalled: 'stalled',
  state_error: 'fault',
  unknown: 'unknown',
  'purchase.completed': 'sold',
  'purchase.cancelled': 'cancelled',
  'purchase.uncertain': 'uncertain, to review',
  sessions: 'Sessions',
  cabinet: 'Cabinet',
  all: 'all',
  noSessions: 'No sessions',
  total: 'Total',
  session_authorised: 'authorised',
  session_open: 'door open',
  session_settling: 'settling',
  session_completed: 'sold',
  session_cancelled: 'cancelled',
  inventory: 'Inventory',
  exportCsv: 'Export as CSV',
  stale: 'May be out of date',
  tags: 'Tags',
  unknownProduct: 'not in the catalog',
} as const;

export type TextKey = keyof typeof en;

const zhTW: Partial<Record<TextKey, string>> = {
  title: '門市主控台',
  now: '即時',
  events: '事件',
  cabinets: '販賣櫃',
  devices: '讀取器與裝置',
  alarms: '未處理警報',
  noAlarms: '沒有警報',
  door: '櫃門',
  lock: '門鎖',
  session: '交易',
  noSession: '無交易',
  lastSale: '上一筆',
  customer: '顧客',
  since: '自',
  items: '件',
  outbox: '待送出事件',
  broker: 'MQTT 伺服器',
  connected: '已連線',
  disconnected: '已斷線',
  noBroker: '未設定',
  health: '狀態',
  live: '即時更新中',
  reconnecting: '重新連線中…',
  filter: '依類型篩選',
  noEvents: '尚無事件',
  login: '登入',
  token: '存取權杖',
  wrongToken: '權杖錯誤',
  off: '此連接埠未設定存取權杖，主控台已關閉。',
  language: '語言',
  state_online: '連線中',
  state_offline: '離線',
  state_stalled: '停止回應',
  state_error: '故障',
  unknown: '未知',
  'purchase.completed': '已售出',
  'purchase.cancelled': '已取消',
  'purchase.uncertain': '待確認',
  sessions: '交易紀錄',
  cabinet: '販賣櫃',
  all: '全部',
  noSessions: '沒有交易',
  total: '合計',
  session_authorised: '已授權',
  session_open: '櫃門開啟',
  session_settling: '結算中',
  session_completed: '已售出',
  session_cancelled: '已取消',
  inventory: '庫存',
  exportCsv: '匯出 CSV',
  stale: '資料可能過時',
  tags: '標籤',
  unknownProduct: '不在商品目錄中',
};

const TABLES: Record<Language, Partial<Record<TextKey, string>>> = { en, 'zh-TW': zhTW };

/** The browser's preferred language among ours: any Chinese but Simplified takes zh-TW. */
export function preferredLanguage(preferences: readonly string[]): Language {
  for (const preference of preferences) {
    const lower = preference.toLowerCase();
    if (lower.startsWith('zh') && !lower.includes('cn') && !lower.includes('hans')) return 'zh-TW';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function translate(language: Language, key: TextKey): string {
  return TABLES[language][key] ?? en[key];
}
