// Command-line flags (`--name value` or `--name=value`).
import { parseDurationMs, parseMisbehave } from './misbehave.js';
import type { MisbehaveMode } from './misbehave.js';

export interface SampleFlags {
  help: boolean;
  port: number;
  bindAddress: string;
  certDir: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Extra names/IPs for a generated serving certificate. */
  tlsSans: string[];
  requestheaderClientCaFile?: string;
  /** Undefined when not given (then: the ConfigMap's, else front-proxy-client). */
  requestheaderAllowedNames?: string[];
  requestheaderUsernameHeaders?: string[];
  requestheaderUidHeaders?: string[];
  requestheaderGroupHeaders?: string[];
  requestheaderExtraHeadersPrefix?: string[];
  kubeconfig?: string;
  misbehave: MisbehaveMode;
  watchBookmarkIntervalMs: number;
  /** Log verbosity: 0 quiet (errors only), 1 auth failures, 2 every request. */
  verbosity: number;
}

export class UsageError extends Error {}

export function usage(): string {
  return `Usage: node dist/e2e/sample-apiserver/main.js [flags]

A small extension API server for kage's aggregation-layer tests: serves wardle.example.com/v1alpha1 flunders over
TLS, trusting callers only through the front proxy's client certificate and X-Remote-* headers.

Flags:
  --port <n>                               port to listen on; 0 picks a free one (default 0)
  --bind-address <ip>                      address to listen on (default 127.0.0.1)
  --cert-dir <dir>                         serving certificate directory: tls.crt, tls.key, ca.crt (created when
                                           absent; default apiserver.local.config/certificates)
  --tls-cert-file <pem> --tls-private-key-file <pem>
                                           use this serving certificate instead of --cert-dir's
  --tls-sans <a,b>                         extra DNS names / IPs for a generated serving certificate
  --requestheader-client-ca-file <pem>     CA that signs the front proxy's client certificate (required unless
                                           --kubeconfig is given)
  --requestheader-allowed-names <a,b>      allowed client certificate CNs (default front-proxy-client; empty: any)
  --requestheader-username-headers <a,b>   default X-Remote-User
  --requestheader-uid-headers <a,b>        default X-Remote-Uid
  --requestheader-group-headers <a,b>      default X-Remote-Group
  --requestheader-extra-headers-prefix <a,b>  default X-Remote-Extra-
  --kubeconfig <file>                      read the requestheader settings from the main server's
                                           kube-system/extension-apiserver-authentication ConfigMap (used only
                                           when --requestheader-client-ca-file is not given)
  --misbehave <mode>                       hang-discovery | garbage-discovery | slow-discovery=<ms> (default none)
  --watch-bookmark-interval <duration>     BOOKMARK period for watches that allow them (default 60s; 500ms, 2s...)
  -v, --v <n>                              log verbosity to stderr: 1 auth failures, 2 every request (default 0)
  -h, --help                               this text
`;
}

function list(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const VALUE_FLAGS = new Set([
  'port',
  'bind-address',
  'cert-dir',
  'tls-cert-file',
  'tls-private-key-file',
  'tls-sans',
  'requestheader-client-ca-file',
  'requestheader-allowed-names',
  'requestheader-username-headers',
  'requestheader-uid-headers',
  'requestheader-group-headers',
  'requestheader-extra-headers-prefix',
  'kubeconfig',
  'misbehave',
  'watch-bookmark-interval',
  'v',
]);

export function parseFlags(argv: string[]): SampleFlags {
  const flags: SampleFlags = {
    help: false,
    port: 0,
    bindAddress: '127.0.0.1',
    certDir: 'apiserver.local.config/certificates',
    tlsSans: [],
    misbehave: { kind: 'none' },
    watchBookmarkIntervalMs: 60_000,
    verbosity: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith('-')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown flag --${name}`);
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`flag --${name} needs a value`);
      value = argv[++i]!;
    }
    try {
      switch (name) {
        case 'port': {
          if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Error(`invalid port ${JSON.stringify(value)}`);
          flags.port = Number(value);
          break;
        }
        case 'bind-address':
          flags.bindAddress = value;
          break;
        case 'cert-dir':
          flags.certDir = value;
          break;
        case 'tls-cert-file':
          flags.tlsCertFile = value;
          break;
        case 'tls-private-key-file':
          flags.tlsPrivateKeyFile = value;
          break;
        case 'tls-sans':
          flags.tlsSans.push(...list(value));
          break;
        case 'requestheader-client-ca-file':
          flags.requestheaderClientCaFile = value;
          break;
        case 'requestheader-allowed-names':
          flags.requestheaderAllowedNames = list(value);
          break;
        case 'requestheader-username-headers':
          flags.requestheaderUsernameHeaders = list(value);
          break;
        case 'requestheader-uid-headers':
          flags.requestheaderUidHeaders = list(value);
          break;
        case 'requestheader-group-headers':
          flags.requestheaderGroupHeaders = list(value);
          break;
        case 'requestheader-extra-headers-prefix':
          flags.requestheaderExtraHeadersPrefix = list(value);
          break;
        case 'kubeconfig':
          flags.kubeconfig = value;
          break;
        case 'misbehave':
          flags.misbehave = parseMisbehave(value);
          break;
        case 'watch-bookmark-interval':
          flags.watchBookmarkIntervalMs = parseDurationMs(value);
          break;
        case 'v':
          if (!/^\d+$/.test(value)) throw new Error(`invalid verbosity ${JSON.stringify(value)}`);
          flags.verbosity = Number(value);
          break;
      }
    } catch (err) {
      throw new UsageError(`--${name}: ${(err as Error).message}`);
    }
  }
  if ((flags.tlsCertFile === undefined) !== (flags.tlsPrivateKeyFile === undefined)) {
    throw new UsageError('--tls-cert-file and --tls-private-key-file go together');
  }
  if (!flags.help && flags.requestheaderClientCaFile === undefined && flags.kubeconfig === undefined) {
    throw new UsageError('--requestheader-client-ca-file is required unless --kubeconfig is given');
  }
  return flags;
}
