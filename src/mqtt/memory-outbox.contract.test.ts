import { describeOutboxContract } from '../store/outbox-contract.js';
import { MemoryOutbox, MemoryOutboxStorage } from './memory-outbox-testkit.js';

// The publisher's tests stand on MemoryOutbox; it must behave as the real outbox does.
describeOutboxContract('MemoryOutbox', (clock) => {
  const storage = new MemoryOutboxStorage();
  return {
    open: (bounds) => new MemoryOutbox({ storage, clock, ...bounds }),
    dispose: () => {},
  };
});
