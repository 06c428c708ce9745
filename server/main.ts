#!/usr/bin/env node
// The `kage` command: parse flags, start the server, print where it listens, stop on a signal.
import { resolve } from 'node:path';
import { parseKageFlags, usage } from './cli/flags.js';
import type { KageFlags } from './cli/flags.js';
import { kageVersion, startKage } from './kage.js';
import type { RunningKage } from './kage.js';

function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}

async function main(argv: string[]): Promise<void> {
  let flags: KageFlags;
  try {
    flags = parseKageFlags(argv);
  } catch (err) {
    process.stderr.write(`kage: ${(err as Error).message}\nrun kage --help for usage\n`);
    process.exit(2);
  }
  if (flags.help) {
    process.stdout.write(usage());
    return;
  }
  if (flags.version) {
    process.stdout.write(`kage ${kageVersion()}\n`);
    return;
  }

  let running: RunningKage | undefined;
  let stopRequested = false;
  let stopping = false;

  const stop = async (): Promise<void> => {
    if (stopping || !running) return;
    stopping = true;
    try {
      await running.close();
    } catch (err) {
      process.stderr.write(`kage: error while shutting down: ${describe(err)}\n`);
      process.exit(1);
    }
    process.exit(0);
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopRequested) {
      // Second signal: do not wait for a graceful shutdown.
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    }
    stopRequested = true;
    // While still starting, stop as soon as startup has finished.
    if (running) void stop();
  };
  // One bad request or a bug in a background task must never take the whole server down.
  process.on('unhandledRejection', (err) => process.stderr.write(`kage: unhandled rejection: ${describe(err)}\n`));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    running = await startKage({
      port: flags.port,
      bindAddress: flags.bindAddress,
      dataDir: resolve(flags.dataDir),
      kubeconfigPath: resolve(flags.kubeconfig),
      discoveryTimeoutMs: flags.discoveryTimeoutMs,
      availabilityCheckIntervalMs: flags.availabilityCheckIntervalMs,
      apiServices: flags.apiServices,
      watchBookmarkIntervalMs: flags.watchBookmarkIntervalMs,
      fsync: flags.fsync,
      logLevel: flags.logLevel,
    });
  } catch (err) {
    process.stderr.write(`kage: failed to start: ${describe(err)}\n`);
    process.exit(1);
  }

  if (stopRequested) {
    await stop();
    return;
  }
  process.stdout.write(
    `kage listening on ${running.url}; export KUBECONFIG=${resolve(running.kubeconfigPath)}\n`,
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`kage: ${describe(err)}\n`);
  process.exit(1);
});
