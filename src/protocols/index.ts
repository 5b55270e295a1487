import type { Driver } from '../shared/decoding.js';
import { chafonDriver } from './chafon/index.js';
import { em4100AsciiDriver } from './em4100-ascii/index.js';
import { linesDriver } from './lines/index.js';
import { openScaleDriver } from './openscale/index.js';
import { pn532Driver } from './pn532/index.js';
import { r2000Driver } from './r2000/index.js';
import { thingmagicDriver } from './thingmagic/index.js';

export const drivers: ReadonlyMap<string, Driver> = new Map(
  [
    thingmagicDriver,
    r2000Driver,
    chafonDriver,
    pn532Driver,
    em4100AsciiDriver,
    linesDriver,
    openScaleDriver,
  ].map((driver) => [driver.name, driver]),
);

export function driverNamed(name: string): Driver {
  const driver = drivers.get(name);
  if (!driver) throw new Error(`unknown driver "${name}" (known: ${[...drivers.keys()].join(', ')})`);
  return driver;
}
