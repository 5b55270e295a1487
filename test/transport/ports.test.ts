import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listPorts } from '../../src/transport/ports.js';

const dev = mkdtempSync(join(tmpdir(), 'rfid-dev-'));
afterAll(() => rmSync(dev, { recursive: true, force: true }));

/** A /dev as a Raspberry Pi without udevadm shows it (plain files stand in for the device nodes). */
function fakeDev(): void {
  for (const name of ['ttyUSB0', 'ttyACM0', 'ttyAMA0', 'ttyS0', 'ttyS1', 'tty0', 'null', 'ttyXRUSB0']) {
    writeFileSync(join(dev, name), '');
  }
  symlinkSync('ttyAMA0', join(dev, 'serial0'));
  mkdirSync(join(dev, 'serial', 'by-id'), { recursive: true });
  symlinkSync('../../ttyUSB0', join(dev, 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'));
  symlinkSync('../../ttyXRUSB0', join(dev, 'serial', 'by-id', 'usb-Exar_XR21V1410-if00'));
}
fakeDev();

const udevMissing = async () => {
  throw new Error('spawn udevadm ENOENT');
};

describe('listPorts', () => {
  it('scans /dev when serialport cannot list (no udevadm)', async () => {
    const ports = await listPorts({ list: udevMissing, devDir: dev });
    expect(ports).toEqual([
      { path: join(dev, 'serial0') },
      { path: join(dev, 'ttyACM0') },
      { path: join(dev, 'ttyAMA0') },
      { path: join(dev, 'ttyS0') },
      {
        path: join(dev, 'ttyUSB0'),
        byId: join(dev, 'serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'),
      },
      { path: join(dev, 'ttyXRUSB0'), byId: join(dev, 'serial/by-id/usb-Exar_XR21V1410-if00') },
    ]);
  });

  it("uses serialport's listing when it works, with the by-id link", async () => {
    const ports = await listPorts({
      devDir: dev,
      list: async () => [
        {
          path: '/dev/ttyUSB0',
          manufacturer: 'FTDI',
          serialNumber: 'A50285BI',
          pnpId: 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0',
          locationId: undefined,
          vendorId: '0403',
          productId: '6001',
        },
      ],
    });
    expect(ports).toEqual([
      {
        path: '/dev/ttyUSB0',
        byId: '/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0',
        manufacturer: 'FTDI',
        serialNumber: 'A50285BI',
        vendorId: '0403',
        productId: '6001',
      },
    ]);
  });

  it('returns an empty list for a /dev without serial ports', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'rfid-dev-empty-'));
    try {
      expect(await listPorts({ list: async () => [], devDir: empty })).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('does not throw on this machine with the defaults (no udevadm in a container)', async () => {
    const ports = await listPorts();
    for (const port of ports) expect(port.path).toMatch(/^\/dev\//);
  });
});
