// kage's command-line flags: a small typed parser driven by a table of flag definitions.
//
// Accepted forms: `--name value`, `--name=value`; boolean flags take no value (`--help`) or an
// explicit one (`--help=false`); repeatable flags collect every occurrence into an array; for
// other flags the last occurrence wins. Durations use Go's syntax (`500ms`, `5s`, `1m30s`, `1.5h`)
// and are returned in milliseconds. Errors are thrown as FlagError naming the offending flag.

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

interface FlagBase {
  /** Without the leading dashes. */
  name: string;
  description: string;
  /** Placeholder for the value in --help output. */
  metavar?: string;
}

export interface BoolFlag extends FlagBase {
  type: 'bool';
  default: boolean;
}

export interface StringFlag extends FlagBase {
  type: 'string';
  default: string;
  /** When set, the value must be one of these. */
  choices?: readonly string[];
  allowEmpty?: boolean;
}

export interface IntFlag extends FlagBase {
  type: 'int';
  default: number;
  min: number;
  max: number;
}

export interface DurationFlag extends FlagBase {
  type: 'duration';
  /** Milliseconds. */
  default: number;
  /** Inclusive lower bound in milliseconds (default 0). */
  minMs?: number;
  /** Inclusive upper bound in milliseconds (default 2^31-1, the largest delay Node timers accept). */
  maxMs?: number;
}

export interface StringArrayFlag<T = string> extends FlagBase {
  type: 'stringArray';
  /** Turns one occurrence into its parsed value; throws an Error (message without the flag name) on bad input. */
  parse: (value: string) => T;
}

export type FlagDefinition = BoolFlag | StringFlag | IntFlag | DurationFlag | StringArrayFlag<unknown>;

export type FlagValues = Record<string, boolean | string | number | unknown[]>;

/** Parses `argv` (without node and script paths) against `defs`; values are keyed by flag name. */
export function parseFlags(defs: readonly FlagDefinition[], argv: readonly string[]): FlagValues {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const values: FlagValues = {};
  for (const d of defs) values[d.name] = d.type === 'stringArray' ? [] : d.default;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      if (i + 1 < argv.length) throw new FlagError(`unexpected argument ${JSON.stringify(argv[i + 1])}: kage takes no arguments`);
      break;
    }
    if (arg === '-h') {
      if (byName.has('help')) {
        values['help'] = true;
        continue;
      }
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1) throw new FlagError(`unknown flag ${arg} (flags are spelled --name)`);
      throw new FlagError(`unexpected argument ${JSON.stringify(arg)}: kage takes no arguments`);
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const def = byName.get(name);
    if (!def || name === '') throw new FlagError(`unknown flag --${name}`);

    let raw: string;
    if (eq !== -1) {
      raw = arg.slice(eq + 1);
    } else if (def.type === 'bool') {
      raw = 'true';
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new FlagError(`flag --${name} needs a value`);
      }
      raw = next;
      i++;
    }

    if (def.type === 'stringArray') {
      (values[name] as unknown[]).push(convert(def, raw));
    } else {
      values[name] = convert(def, raw) as boolean | string | number;
    }
  }
  return values;
}

function convert(def: FlagDefinition, raw: string): unknown {
  const flag = `--${def.name}`;
  switch (def.type) {
    case 'bool': {
      const v = raw.toLowerCase();
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      throw new FlagError(`invalid value ${JSON.stringify(raw)} for flag ${flag}: expected true or false`);
    }
    case 'string': {
      if (def.choices && !def.choices.includes(raw)) {
        throw new FlagError(
          `invalid value ${JSON.stringify(raw)} for flag ${flag}: must be one of ${def.choices.join(', ')}`,
        );
      }
      if (raw === '' && !def.allowEmpty) throw new FlagError(`flag ${flag} must not be empty`);
      return raw;
    }
    case 'int': {
      if (!/^[+-]?\d+$/.test(raw)) {
        throw new FlagError(`invalid value ${JSON.stringify(raw)} for flag ${flag}: expected an integer`);
      }
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < def.min || n > def.max) {
        throw new FlagError(`invalid value ${raw} for flag ${flag}: must be between ${def.min} and ${def.max}`);
      }
      return n;
    }
    case 'duration': {
      let ms: number;
      try {
        ms = parseDuration(raw);
      } catch (err) {
        throw new FlagError(`invalid value ${JSON.stringify(raw)} for flag ${flag}: ${(err as Error).message}`);
      }
      const min = def.minMs ?? 0;
      const max = def.maxMs ?? MAX_TIMER_MS;
      if (ms < min) {
        throw new FlagError(`invalid value ${JSON.stringify(raw)} for flag ${flag}: must be at least ${formatDuration(min)}`);
      }
      if (ms > max) {
        throw new FlagError(`invalid value ${JSON.stringify(raw)} for flag ${flag}: must be at most ${formatDuration(max)}`);
      }
      return ms;
    }
    case 'stringArray': {
      try {
        return def.parse(raw);
      } catch (err) {
        throw new FlagError(`invalid value ${JSON.stringify(raw)} for flag ${flag}: ${(err as Error).message}`);
      }
    }
  }
}

/** setTimeout/setInterval treat larger delays as 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go-style duration (`300ms`, `5s`, `1m30s`, `1.5h`, `-2s`, `0`) into milliseconds,
 * rounded to the nearest whole millisecond.
 */
export function parseDuration(text: string): number {
  let s = text.trim();
  if (s === '') throw new Error('empty duration');
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0;
  let rest = s;
  if (rest === '') throw new Error('expected a duration such as 500ms, 5s or 1m');
  while (rest !== '') {
    const m = part.exec(rest);
    if (!m) {
      if (/^(\d+(?:\.\d*)?|\.\d+)$/.test(rest)) throw new Error('missing unit (use ms, s, m or h)');
      throw new Error('expected a duration such as 500ms, 5s or 1m');
    }
    total += Number(m[1]) * DURATION_UNITS_MS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  if (!Number.isFinite(total)) throw new Error('duration out of range');
  return sign * Math.round(total) || 0;
}

/** Formats milliseconds compactly, e.g. 5000 → "5s", 90000 → "1m30s", 500 → "500ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return sign + out;
}

/** Help text for `defs`: one entry per flag with its value placeholder, default and description. */
export function formatFlagsHelp(defs: readonly FlagDefinition[]): string {
  const rows = defs.map((d) => {
    const metavar = d.metavar ?? (d.type === 'bool' ? '' : d.type === 'stringArray' ? 'string' : d.type);
    const head = `--${d.name}${metavar ? ` ${metavar}` : ''}`;
    let dflt: string | undefined;
    switch (d.type) {
      case 'bool':
        dflt = d.default ? 'true' : undefined;
        break;
      case 'string':
        dflt = d.default === '' ? undefined : JSON.stringify(d.default);
        break;
      case 'int':
        dflt = String(d.default);
        break;
      case 'duration':
        dflt = formatDuration(d.default);
        break;
      case 'stringArray':
        dflt = undefined;
        break;
    }
    const notes = [
      ...(d.type === 'stringArray' ? ['repeatable'] : []),
      ...(dflt !== undefined ? [`default ${dflt}`] : []),
    ];
    return { head, text: d.description + (notes.length ? ` (${notes.join('; ')})` : '') };
  });
  return rows.map((r) => `  ${r.head}\n        ${r.text}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// kage's flags

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** One `--api-service <group>/<version>=<https-url>` occurrence. */
export interface ApiServiceFlag {
  group: string;
  version: string;
  /** Normalised https URL of the extension API server. */
  url: string;
}

export interface KageFlags {
  port: number;
  bindAddress: string;
  dataDir: string;
  kubeconfig: string;
  discoveryTimeoutMs: number;
  availabilityCheckIntervalMs: number;
  apiServices: ApiServiceFlag[];
  watchBookmarkIntervalMs: number;
  fsync: boolean;
  logLevel: LogLevel;
  help: boolean;
  version: boolean;
}

const GROUP_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VERSION_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Parses `<group>/<version>=<https-url>`; throws with a message saying what is wrong. */
export function parseApiService(value: string): ApiServiceFlag {
  const eq = value.indexOf('=');
  if (eq === -1) throw new Error('expected <group>/<version>=<https-url>');
  const gv = value.slice(0, eq);
  const rawUrl = value.slice(eq + 1);
  const slash = gv.indexOf('/');
  if (slash === -1) throw new Error('expected <group>/<version>=<https-url>');
  const group = gv.slice(0, slash);
  const version = gv.slice(slash + 1);
  if (group === '') throw new Error('the group must not be empty (the core group cannot be served by an extension API server)');
  if (group.length > 253 || !GROUP_PATTERN.test(group)) {
    throw new Error(`group ${JSON.stringify(group)} is not a valid DNS subdomain (lower-case, e.g. metrics.k8s.io)`);
  }
  if (version.length === 0 || version.length > 63 || !VERSION_PATTERN.test(version)) {
    throw new Error(`version ${JSON.stringify(version)} is not a valid DNS label (lower-case, e.g. v1beta1)`);
  }
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new Error(`${JSON.stringify(rawUrl)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new Error(`the URL must use https, not ${url.protocol.replace(/:$/, '')}`);
  if (url.hostname === '') throw new Error('the URL has no host');
  if (url.username || url.password) throw new Error('the URL must not contain credentials');
  if (url.search || url.hash) throw new Error('the URL must not have a query or fragment');
  return { group, version, url: url.href.replace(/\/$/, '') };
}

export const KAGE_FLAGS: readonly FlagDefinition[] = [
  {
    name: 'port',
    type: 'int',
    default: 6443,
    min: 0,
    max: 65535,
    description: 'Port to serve HTTPS on; 0 picks a free port',
  },
  {
    name: 'bind-address',
    type: 'string',
    default: '127.0.0.1',
    metavar: 'ip',
    description: 'Address to listen on',
  },
  {
    name: 'data-dir',
    type: 'string',
    default: '.kage/data',
    metavar: 'path',
    description: 'Directory for stored objects and certificates (pki/)',
  },
  {
    name: 'kubeconfig',
    type: 'string',
    default: '.kage/kubeconfig',
    metavar: 'path',
    description: 'Where to write the admin kubeconfig',
  },
  {
    name: 'discovery-timeout',
    type: 'duration',
    default: 5000,
    minMs: 1,
    description: 'How long to wait for an extension API server during discovery',
  },
  {
    name: 'availability-check-interval',
    type: 'duration',
    default: 10_000,
    minMs: 1,
    description: 'How often to check that extension API servers are available',
  },
  {
    name: 'api-service',
    type: 'stringArray',
    metavar: '<group>/<version>=<https-url>',
    parse: parseApiService,
    description: 'Register an extension API server for a group/version',
  },
  {
    name: 'fsync',
    type: 'bool',
    default: false,
    description: 'fsync every storage write: survives power loss, at ~0.5 ms a write (writes always survive a crash of kage itself)',
  },
  {
    name: 'watch-bookmark-interval',
    type: 'duration',
    default: 60_000,
    minMs: 100,
    description: 'How often watches that allow bookmarks get a BOOKMARK event',
  },
  {
    name: 'log-level',
    type: 'string',
    default: 'info',
    choices: LOG_LEVELS,
    metavar: 'debug|info|warn|error',
    description: 'Minimum level of log messages',
  },
  { name: 'help', type: 'bool', default: false, description: 'Print this help and exit' },
  { name: 'version', type: 'bool', default: false, description: "Print kage's version and exit" },
];

export function parseKageFlags(argv: readonly string[]): KageFlags {
  const v = parseFlags(KAGE_FLAGS, argv);
  return {
    port: v['port'] as number,
    bindAddress: v['bind-address'] as string,
    dataDir: v['data-dir'] as string,
    kubeconfig: v['kubeconfig'] as string,
    discoveryTimeoutMs: v['discovery-timeout'] as number,
    availabilityCheckIntervalMs: v['availability-check-interval'] as number,
    apiServices: v['api-service'] as ApiServiceFlag[],
    watchBookmarkIntervalMs: v['watch-bookmark-interval'] as number,
    fsync: v['fsync'] as boolean,
    logLevel: v['log-level'] as LogLevel,
    help: v['help'] as boolean,
    version: v['version'] as boolean,
  };
}

export function usage(): string {
  return [
    'Usage: kage [flags]',
    '',
    'Runs a Kubernetes API server (with the aggregation layer) on this machine and writes an',
    'admin kubeconfig for kubectl.',
    '',
    'Flags:',
    formatFlagsHelp(KAGE_FLAGS),
    '',
  ].join('\n');
}
