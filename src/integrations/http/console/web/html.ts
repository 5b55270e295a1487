import htm from 'htm';
import { h } from 'preact';

/** JSX-like templates without a compile step: the console ships as plain ES modules bundled once. */
export const html = htm.bind(h);
