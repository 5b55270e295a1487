import { SERIAL_GROUP } from './layout.js';

/** A USB-serial bridge the udev rules name and give to the serial group. */
export interface UsbSerialAdapter {
  vendorId: string;
  productId: string;
  /** First word of its names under /dev/rfid/. */
  name: string;
  /** What uses it, for the comment above its rules. */
  what: string;
}

/**
 * Only well-known vendor:product ids (the ones the Linux drivers ftdi_sio, ch341 and cp210x bind to by
 * default). The SparkFun Simultaneous RFID Reader has no USB id of its own: the M6E Nano board talks
 * through a USB-serial adapter (SparkFun's Serial Basic is a CH340, the FTDI Basic an FTDI), and the
 * M7E Hecto board's USB-C port is a CH340C; it is matched as that adapter.
 */
export const USB_SERIAL_ADAPTERS: readonly UsbSerialAdapter[] = [
  {
    vendorId: '0403',
    productId: '6001',
    name: 'ftdi',
    what: 'FTDI FT232R: FTDI cables, 5 V "FTDI Basic" boards',
  },
  {
    vendorId: '0403',
    productId: '6015',
    name: 'ftdi',
    what: 'FTDI FT230X/FT231X: SparkFun FTDI Basic and USB boards of badge readers (ID-12LA/ID-20LA)',
  },
  {
    vendorId: '1a86',
    productId: '7523',
    name: 'ch340',
    what: 'WCH CH340: LCUS relay boards, SparkFun Serial Basic, SparkFun Simultaneous RFID Reader M7E (CH340C)',
  },
  { vendorId: '10c4', productId: 'ea60', name: 'cp210x', what: 'Silicon Labs CP2102/CP2104' },
];

/**
 * /etc/udev/rules.d/99-rfid-gateway.rules: every adapter above is root:dialout 0660 and gets stable
 * names, `/dev/rfid/<name>-port-<usb port>` (the socket it is plugged into, e.g. ch340-port-1-1.3)
 * and, when it reports a serial number, `/dev/rfid/<name>-<serial>` (the adapter itself, whatever
 * socket). `$id` is the USB device the ATTRS matched (its port path); `$attr{serial}` its serial.
 */
export function renderUdevRules(options: { shipped?: boolean } = {}): string {
  const lines = [
    options.shipped
      ? '# What `sudo rfid-gateway install` writes to /etc/udev/rules.d/99-rfid-gateway.rules.'
      : '# Written by `rfid-gateway install`; `rfid-gateway uninstall` removes it.',
    '# USB-serial adapters of readers, relay boards and microcontrollers: group dialout, mode 0660, and',
    '# stable names under /dev/rfid/: <adapter>-<serial> when the adapter has a serial number (FTDI and',
    '# CP210x usually do; cheap CP2102 clones all say 0001), and <adapter>-port-<usb port> for the',
    '# socket it is plugged into (CH340s have no serial: tell two apart by their sockets).',
    '# Use these names, or /dev/serial/by-id/..., as "port" in /etc/rfid-gateway/gateway.json.',
    'ACTION=="remove", GOTO="rfid_gateway_end"',
    'SUBSYSTEM!="tty", GOTO="rfid_gateway_end"',
  ];
  for (const adapter of USB_SERIAL_ADAPTERS) {
    const match = `SUBSYSTEMS=="usb", ATTRS{idVendor}=="${adapter.vendorId}", ATTRS{idProduct}=="${adapter.productId}"`;
    lines.push(
      '',
      `# ${adapter.vendorId}:${adapter.productId} ${adapter.what}`,
      `${match}, GROUP="${SERIAL_GROUP}", MODE="0660", SYMLINK+="rfid/${adapter.name}-port-$id"`,
      `${match}, ATTRS{serial}=="?*", SYMLINK+="rfid/${adapter.name}-$attr{serial}"`,
    );
  }
  lines.push('', 'LABEL="rfid_gateway_end"');
  return `${lines.join('\n')}\n`;
}
