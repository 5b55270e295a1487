import type { Services } from '../../shared/feature.js';

/**
 * The gateway's figures as the listener sees them: the `figures` service's own types, named here so
 * that the listener depends on the service, not on the module that provides it.
 */
export type GatewayFigures = Services['figures'];
export type Figures = ReturnType<GatewayFigures['read']>;
export type LoopWindow = ReturnType<GatewayFigures['loop']['window']>;
export type LoopFigures = ReturnType<LoopWindow['take']>;
