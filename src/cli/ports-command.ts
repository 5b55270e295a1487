import { listPorts } from '../transport/index.js';
import { EXIT_OK } from './usage.js';

export async function portsCommand(): Promise<number> {
  const ports = await listPorts();
  if (ports.length === 0) {
    console.log('no serial ports found');
    return EXIT_OK;
  }
  for (const port of ports) {
    const details = [
      port.byId,
      port.manufacturer,
      port.serialNumber && `serial ${port.serialNumber}`,
      port.vendorId && port.productId && `usb ${port.vendorId}:${port.productId}`,
    ].filter(Boolean);
    console.log(details.length > 0 ? `${port.path}\t${details.join('\t')}` : port.path);
  }
  return EXIT_OK;
}
