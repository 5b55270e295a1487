export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A problem with what the user asked for: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: rfid-gateway <command> [options]

Commands:
  run [--config FILE]                 run the service (default config: $RFID_GATEWAY_CONFIG,
                                      else /etc/rfid-gateway/gateway.json)
  replay CAPTURE [--config FILE] [--speed N] [--stats] [--gateway-id ID]
         [--mqtt URL [--data-dir DIR] [--drain-timeout S]] [--epcis FILE]
                                      run the pipeline over a capture, print events as JSON lines;
                                      with --mqtt also publish them and exit once acknowledged;
                                      with --epcis also write its EPCIS 2.0 events to FILE as one
                                      EPCISDocument (JSON-LD)
  record --port PATH --driver NAME [--baud N] [--out FILE] [--seconds S] [--id ID]
         [--settings JSON]            send the driver's start-up commands (with the reader settings
                                      given, as in a config), poll a polled reader, record both
                                      directions
  simulate --driver NAME --port PATH [--tags N] [--rate R] [--seconds S] [--baud N] [--seed N]
                                      play a reader on a serial port or pty: a streaming one sends
                                      R reads/s of its N tags, a polled one answers each poll with
                                      them, a card reader (pn532) is shown one card at a time
  catalog import FILE.csv [--config FILE] [--dry-run]
                                      validate a product CSV (sku,gtin,name,price,currency,category,tags,
                                      unit_weight_g,weight_tolerance_g,min_stock)
                                      and write it to the gateway's store, all of it or nothing
  catalog export [--config FILE]      print the catalog as CSV (import reads it back unchanged)
  actuate ID STATE [--config FILE] [--timeout S]
  actuate --safe [--config FILE] [--timeout S]
                                      set an actuator, or every actuator with a safeState to it
                                      (--timeout: one deadline for all devices, default 5 s),
                                      opening its device directly (systemd ExecStopPost runs --safe)
  check-config FILE                   validate a config; print every problem with its path
  schema                              print the config's JSON Schema
  ports                               list serial ports (works without udev)
  install [--config-template fridge|shelf|door] [--root DIR]
                                      as root: the service user, /etc/rfid-gateway/gateway.json from a
                                      template (never over an existing one), /var/lib/rfid-gateway, a
                                      hardened systemd unit, udev rules; enable and start the service.
                                      --root DIR: write the files under DIR, only print the commands
  uninstall [--root DIR] [--purge]    stop and disable the service, remove the unit and udev rules;
                                      --purge also the config, the data and the user install made

Drivers: thingmagic, r2000, chafon, pn532, em4100-ascii (readers); lines, openscale (sensors)
Exit codes: 0 ok, 1 runtime failure, 2 bad usage / bad config / unreadable capture or catalog file`;

export function parseNumberOption(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
