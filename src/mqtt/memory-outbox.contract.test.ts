import { MemoryOutbox, MemoryOutboxStorage } from '../../test/kits/mqtt/memory-outbox.js';
import { describeOutboxContract } from '../../test/kits/store/outbox-contract.js';

// The publisher's tests stand on MemoryOutbox; it must behave as the real outbox does.
describeOutboxContract('MemoryOutbox', (clock) => {
  const storage = new MemoryOutboxStorage();
  return {
    open: (bounds) => new MemoryOutbox({ storage, clock, ...bounds }),
    dispose: () => {},
  };
});
