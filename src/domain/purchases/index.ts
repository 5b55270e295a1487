export { PurchasesExtension, type PurchasesService } from './extension.js';
export { purchasesFeature } from './feature.js';
