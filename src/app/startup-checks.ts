import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { type ConfigProblem, loadConfigFile } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { readCatalogCsv, readCatalogText } from '../domain/catalog/index.js';
import { loadClientKeys, SignatureKeyError } from '../mqtt/request-signature.js';
import { CaptureError, checkReplaySource } from '../transport/index.js';
import { engineChecks } from './config-checks.js';

/**
 * The config as `run` starts it and `check-config` checks it: the schema, the references between
 * sections, then the files it names, read as start-up reads them (the catalog file and every line
 * of it, signing keys, the broker's password and certificates, replayed captures). A ConfigError
 * lists every problem with its path, so that a config `check-config` accepts does not stop the
 * service at start-up, where systemd would only restart it again and again.
 */
export function loadStartableConfig(file: string): GatewayConfig {
  return loadConfigFile(file, engineChecks, [sharedPortProblems, fileProblems]);
}

/** The files a config (its paths resolved) names, each read as the part that uses it reads it. */
export function fileProblems(config: GatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.catalogFile !== undefined) {
    const file = config.catalogFile;
    const read = readCatalogText(file);
    if (!read.ok) problems.push({ path: 'catalogFile', message: `${file}: ${read.problem}` });
    else {
      const csv = readCatalogCsv(read.text, file);
      if (!csv.ok)
        for (const problem of csv.problems) problems.push({ path: 'catalogFile', message: problem });
    }
  }
  config.security.signedCommands.clients.forEach((client, index) => {
    try {
      // One at a time: a client listed twice is the schema checks' to report.
      loadClientKeys([client]).get(client.id)?.fill(0);
    } catch (error) {
      if (!(error instanceof SignatureKeyError)) throw error;
      problems.push({
        path: `security.signedCommands.clients[${index}].keyFile`,
        message: `client "${error.client}": key file ${error.file}: ${error.reason}`,
      });
    }
  });
  for (const field of ['passwordFile', 'ca', 'cert', 'key'] as const) {
    const path = config.mqtt?.[field];
    if (path === undefined) continue;
    try {
      readFileSync(path).fill(0);
    } catch (error) {
      problems.push({ path: `mqtt.${field}`, message: `${path}: cannot read: ${(error as Error).message}` });
    }
  }
  for (const list of ['readers', 'sensors'] as const) {
    config[list].forEach((device, index) => {
      if (!device.port.startsWith('replay:')) return;
      try {
        checkReplaySource(device.port.slice('replay:'.length), device.replay.portId);
      } catch (error) {
        if (!(error instanceof CaptureError)) throw error;
        problems.push({ path: `${list}[${index}].port`, message: error.message });
      }
    });
  }
  return problems;
}

/**
 * Whether the HTTP listener could listen, tried by listening for a moment. A port in use is not
 * reported: it may be this very gateway, running; `run` itself refuses it with exit 2.
 */
export async function listenProblems(config: GatewayConfig): Promise<ConfigProblem[]> {
  const http = config.http;
  if (http === undefined) return [];
  const code = await new Promise<string | undefined>((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host: http.host, port: http.port }, () => server.close(() => resolve(undefined)));
  });
  switch (code) {
    case undefined:
    case 'EADDRINUSE':
      return [];
    case 'EACCES':
      return [
        {
          path: 'http.port',
          message: `${http.port}: permission denied (EACCES): ports below 1024 need privileges`,
        },
      ];
    case 'EADDRNOTAVAIL':
      return [
        { path: 'http.host', message: `${http.host}: no such address on this machine (EADDRNOTAVAIL)` },
      ];
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return [{ path: 'http.host', message: `${http.host}: unknown host (${code})` }];
    default:
      return [{ path: 'http', message: `cannot listen on ${http.host}:${http.port} (${code})` }];
  }
}

/**
 * A serial port (or a ser2net port) has one device on it: a second reader, sensor, display or relay
 * board on the same port would fail to open it, or read the other one's bytes. Replays may share a
 * capture. Relay actuators share their board's port on purpose, so a board counts once. (Not a check
 * for the `replay` command, which feeds every device from its capture whatever their ports say.)
 */
export function sharedPortProblems(config: GatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const owners = new Map<string, string>();
  const claim = (path: string, port: string) => {
    if (port.startsWith('replay:')) return;
    const owner = owners.get(port);
    if (owner === undefined) owners.set(port, path.replace(/\.port$/, ''));
    else
      problems.push({
        path,
        message: `${JSON.stringify(port)} is already ${owner}'s port; a port has one device`,
      });
  };
  for (const [index, reader] of config.readers.entries()) claim(`readers[${index}].port`, reader.port);
  for (const [index, sensor] of config.sensors.entries()) claim(`sensors[${index}].port`, sensor.port);
  config.displays.forEach((display, index) => {
    if (display.driver === 'serial-lcd') claim(`displays[${index}].port`, display.port);
  });
  const boards = new Set<string>();
  config.actuators.forEach((actuator, index) => {
    if (actuator.driver !== 'relay-lcus' || boards.has(actuator.port)) return;
    boards.add(actuator.port);
    claim(`actuators[${index}].port`, actuator.port);
  });
  return problems;
}
