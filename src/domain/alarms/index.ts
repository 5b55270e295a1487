export {
  type Acknowledgement,
  ALARM_MIGRATIONS,
  ALARM_PURGE_INTERVAL_MS,
  AlarmBook,
  type AlarmBookOptions,
  type AlarmEntry,
  type AlarmQuery,
  type AlarmState,
  DEFAULT_ACKNOWLEDGED_RETENTION_DAYS,
  DEFAULT_MAX_ALARMS,
} from './alarm-book.js';
export { alarmsFeature } from './feature.js';
export {
  type AckAnswer,
  type AlarmsAnswer,
  alarmsAckFields,
  alarmsGetFields,
  DEFAULT_ALARMS_LIMIT,
  MAX_ACK_IDS,
  MAX_ALARMS_LIMIT,
  MAX_NOTE_LENGTH,
  registerAlarmRequests,
} from './request.js';
