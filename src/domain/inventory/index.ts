export {
  createInventoryFeature,
  DEFAULT_RESTORE_GRACE_MS,
  Inventory,
  type InventoryDeps,
  type InventoryOptions,
  inventoryFeature,
  LEFT_WHILE_DOWN,
} from './extension.js';
export { INVENTORY_MIGRATIONS, type InventoryEntry } from './inventory-store.js';
export { epcItem, type ItemLookup } from './items.js';
export { type InventorySnapshot, type ProductCount, SNAPSHOT_MAX_TAGS } from './snapshot.js';
