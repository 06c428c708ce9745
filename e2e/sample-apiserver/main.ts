#!/usr/bin/env node
// The sample extension API server process: parse flags, load certificates and the front-proxy settings, listen,
// print `sample-apiserver listening on https://<host>:<port>`, and exit cleanly on SIGTERM/SIGINT.
// Exit codes: 0 after a signal, 1 when startup fails (certificates, ConfigMap, listen), 2 for bad flags.
import { isIP } from 'node:net';
import { ensureServingCert } from './certs.js';
import { ConfigError, resolveRequestHeaderConfig } from './config.js';
import { parseFlags, usage, UsageError } from './flags.js';
import type { SampleFlags } from './flags.js';
import { describeMisbehave } from './misbehave.js';
import { createSampleServer } from './server.js';
import type { SampleServer } from './server.js';

function fail(message: string, code: number): never {
  process.stderr.write(`sample-apiserver: ${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  let flags: SampleFlags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    if (err instanceof UsageError) fail(`${err.message}\nrun with --help for usage`, 2);
    throw err;
  }
  if (flags.help) {
    process.stdout.write(usage());
    return;
  }

  process.on('uncaughtException', (err) => process.stderr.write(`sample-apiserver: uncaught exception: ${err.stack ?? String(err)}\n`));
  process.on('unhandledRejection', (err) => process.stderr.write(`sample-apiserver: unhandled rejection: ${String(err)}\n`));

  let running: SampleServer | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    stopping = true;
    if (!running) process.exit(0);
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let auth;
  try {
    auth = await resolveRequestHeaderConfig(flags);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 1);
    throw err;
  }
  let serving;
  try {
    serving = await ensureServingCert({
      certDir: flags.certDir,
      sans: flags.tlsSans,
      tlsCertFile: flags.tlsCertFile,
      tlsKeyFile: flags.tlsPrivateKeyFile,
    });
  } catch (err) {
    fail(`unable to load or create the serving certificate: ${(err as Error).message}`, 1);
  }

  const server = createSampleServer({
    servingCertPem: serving.certPem,
    servingKeyPem: serving.keyPem,
    auth,
    misbehave: flags.misbehave,
    watchBookmarkIntervalMs: flags.watchBookmarkIntervalMs,
    verbosity: flags.verbosity,
  });
  let port: number;
  try {
    port = await server.listen(flags.port, flags.bindAddress);
  } catch (err) {
    fail(`unable to listen on ${flags.bindAddress}:${flags.port}: ${(err as Error).message}`, 1);
  }
  running = server;
  if (stopping) {
    await server.close();
    process.exit(0);
  }
  if (flags.verbosity >= 1) {
    process.stderr.write(
      `sample-apiserver: serving certificate ${serving.certFile} (CA ${serving.caFile}); allowed client names ${JSON.stringify(auth.allowedNames)}; misbehave ${describeMisbehave(flags.misbehave)}\n`,
    );
  }
  const host = isIP(flags.bindAddress) === 6 ? `[${flags.bindAddress}]` : flags.bindAddress;
  process.stdout.write(`sample-apiserver listening on https://${host}:${port}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => fail((err as Error)?.stack ?? String(err), 1));
