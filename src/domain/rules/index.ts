export { defaultRules } from './defaults.js';
export { RuleEngine, type RuleStats } from './engine.js';
export { rulesFeature } from './feature.js';
