import { defineFeature } from '../../shared/feature.js';
import { AlarmBook } from './alarm-book.js';
import { registerAlarmRequests } from './request.js';

declare module '../../shared/feature.js' {
  interface Services {
    /** The alarms raised and not yet acknowledged, as the console's Now page shows them. */
    alarms: Pick<AlarmBook, 'open' | 'openCount'>;
  }
}

/**
 * The alarm book and its `alarms/get` and `alarms/ack`: every `security.alarm`, open until a person
 * acknowledges it, kept across restarts. Live only: a replay takes no acknowledgements, and its
 * alarms are its output.
 */
export const alarmsFeature = defineFeature({
  name: 'alarms',
  liveOnly: true,
  provides: ['alarms'],
  build: ({ store, clock, logger, bus, requests }) => {
    const book = new AlarmBook(store, { clock, logger: logger.child({ component: 'alarms' }) });
    // From the build on, so that an alarm raised while the gateway starts is booked too.
    const unsubscribe = bus.on('alarms', 'security.alarm', (event) => book.record(event));
    const unregister = registerAlarmRequests({ requests, book, bus });
    return {
      start: () => book.start(),
      stop: () => {
        book.stop();
        unsubscribe();
        unregister();
      },
      provides: { alarms: book },
    };
  },
});
