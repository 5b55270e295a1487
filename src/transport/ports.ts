import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { SerialPort } from 'serialport';

export interface PortListing {
  path: string;
  /** The stable /dev/serial/by-id/… link to this device, when there is one: use it in configs. */
  byId?: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

export interface ListPortsOptions {
  /** The system's listing; serialport's (udevadm on Linux) by default. */
  list?: () => Promise<Array<Awaited<ReturnType<typeof SerialPort.list>>[number]>>;
  /** Where the fallback scan looks; '/dev' by default. */
  devDir?: string;
}

const SERIAL_NAMES = /^(?:ttyUSB\d+|ttyACM\d+|ttyAMA\d+|serial[01]|ttyS0)$/;

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Without udev (containers, minimal images) serialport cannot list anything, but /dev still tells a lot. */
async function scanDev(devDir: string): Promise<PortListing[]> {
  const byIdDir = join(devDir, 'serial', 'by-id');
  const byIdOf = new Map<string, string>();
  for (const name of await entries(byIdDir)) {
    const link = join(byIdDir, name);
    const device = await realpath(link).catch(() => undefined);
    if (device !== undefined && !byIdOf.has(device)) byIdOf.set(device, link);
  }
  const listing = new Map<string, PortListing>();
  for (const name of (await entries(devDir)).filter((entry) => SERIAL_NAMES.test(entry))) {
    const path = join(devDir, name);
    const byId = byIdOf.get(await realpath(path).catch(() => path));
    listing.set(path, byId === undefined ? { path } : { path, byId });
  }
  // A by-id link to a device of a kind not named above (ttyXRUSB0, rfcomm0, …) still counts.
  for (const [device, byId] of byIdOf) {
    if (![...listing.values()].some((port) => port.byId === byId))
      listing.set(device, { path: device, byId });
  }
  return [...listing.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** Serial ports of this machine; works without udevadm by scanning /dev instead. */
export async function listPorts(options: ListPortsOptions = {}): Promise<PortListing[]> {
  const list = options.list ?? (() => SerialPort.list());
  try {
    const ports = await list();
    if (ports.length > 0) {
      return ports.map((port) => {
        const listing: PortListing = { path: port.path };
        if (port.pnpId) listing.byId = `/dev/serial/by-id/${port.pnpId}`;
        if (port.manufacturer) listing.manufacturer = port.manufacturer;
        if (port.serialNumber) listing.serialNumber = port.serialNumber;
        if (port.vendorId) listing.vendorId = port.vendorId;
        if (port.productId) listing.productId = port.productId;
        return listing;
      });
    }
  } catch {
    // No udevadm (or it failed): fall through to the scan.
  }
  return scanDev(options.devDir ?? '/dev');
}
