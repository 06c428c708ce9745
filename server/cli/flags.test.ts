import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FlagError,
  KAGE_FLAGS,
  formatDuration,
  parseApiService,
  parseDuration,
  parseFlags,
  parseKageFlags,
  usage,
} from './flags.js';
import type { FlagDefinition } from './flags.js';

test('defaults', () => {
  assert.deepEqual(parseKageFlags([]), {
    port: 6443,
    bindAddress: '127.0.0.1',
    dataDir: '.kage/data',
    kubeconfig: '.kage/kubeconfig',
    discoveryTimeoutMs: 5000,
    availabilityCheckIntervalMs: 10_000,
    watchBookmarkIntervalMs: 60_000,
    fsync: false,
    apiServices: [],
    logLevel: 'info',
    help: false,
    version: false,
  });
});

test('--name value and --name=value forms', () => {
  const f = parseKageFlags([
    '--port',
    '0',
    '--bind-address=0.0.0.0',
    '--data-dir',
    '/var/lib/kage',
    '--kubeconfig=/tmp/kc=with=equals',
    '--discovery-timeout',
    '500ms',
    '--availability-check-interval=1m',
    '--log-level',
    'debug',
  ]);
  assert.equal(f.port, 0);
  assert.equal(f.bindAddress, '0.0.0.0');
  assert.equal(f.dataDir, '/var/lib/kage');
  assert.equal(f.kubeconfig, '/tmp/kc=with=equals');
  assert.equal(f.discoveryTimeoutMs, 500);
  assert.equal(f.availabilityCheckIntervalMs, 60_000);
  assert.equal(f.logLevel, 'debug');
});

test('the last occurrence of a single-valued flag wins', () => {
  assert.equal(parseKageFlags(['--port', '1', '--port=2']).port, 2);
});

test('integer range: 0 and 65535 are accepted for --port', () => {
  assert.equal(parseKageFlags(['--port=65535']).port, 65535);
  assert.equal(parseKageFlags(['--port=0']).port, 0);
  assert.equal(parseKageFlags(['--port=+80']).port, 80);
});

test('boolean flags', () => {
  assert.equal(parseKageFlags(['--help']).help, true);
  assert.equal(parseKageFlags(['-h']).help, true);
  assert.equal(parseKageFlags(['--version']).version, true);
  assert.equal(parseKageFlags(['--version=true']).version, true);
  assert.equal(parseKageFlags(['--version=false']).version, false);
  assert.equal(parseKageFlags(['--help=0']).help, false);
  // A boolean flag does not consume the next argument.
  const f = parseKageFlags(['--help', '--port', '1']);
  assert.equal(f.help, true);
  assert.equal(f.port, 1);
});

test('repeatable --api-service collects every occurrence', () => {
  const f = parseKageFlags([
    '--api-service',
    'metrics.k8s.io/v1beta1=https://127.0.0.1:8443/',
    '--api-service=wardle.example.com/v1alpha1=https://[::1]:9443/base',
  ]);
  assert.deepEqual(f.apiServices, [
    { group: 'metrics.k8s.io', version: 'v1beta1', url: 'https://127.0.0.1:8443' },
    { group: 'wardle.example.com', version: 'v1alpha1', url: 'https://[::1]:9443/base' },
  ]);
});

test('durations', () => {
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1m'), 60_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('.5s'), 500);
  assert.equal(parseDuration('2500us'), 3);
  assert.equal(parseDuration('1000000ns'), 1);
  assert.equal(parseDuration('1h2m3s4ms'), 3_723_004);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('-2s'), -2000);
  for (const bad of ['', '5', 's', '5x', '5 s', '1m-3s', 'abc', '1.2.3s', '-']) {
    assert.throws(() => parseDuration(bad), Error, bad);
  }
  assert.throws(() => parseDuration('5'), /missing unit/);
  assert.equal(formatDuration(5000), '5s');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(0), '0s');
});

test('api-service values', () => {
  assert.deepEqual(parseApiService('a.b/v1=https://host'), { group: 'a.b', version: 'v1', url: 'https://host' });
  const bad: Array<[string, RegExp]> = [
    ['metrics.k8s.io/v1beta1', /expected <group>\/<version>=<https-url>/],
    ['metrics.k8s.io=https://x', /expected <group>\/<version>=<https-url>/],
    ['/v1=https://x', /group must not be empty/],
    ['Metrics/v1=https://x', /group "Metrics" is not a valid DNS subdomain/],
    ['a_b/v1=https://x', /not a valid DNS subdomain/],
    ['a.b/=https://x', /version "" is not a valid DNS label/],
    ['a.b/V1=https://x', /version "V1"/],
    ['a.b/v1/extra=https://x', /version "v1\/extra"/],
    ['a.b/v1=', /"" is not a URL/],
    ['a.b/v1=not a url', /is not a URL/],
    ['a.b/v1=http://x', /must use https, not http/],
    ['a.b/v1=https://user:pw@x', /credentials/],
    ['a.b/v1=https://x/?q=1', /query or fragment/],
  ];
  for (const [value, message] of bad) {
    assert.throws(() => parseApiService(value), message, value);
  }
});

function assertFlagError(argv: string[], message: RegExp): void {
  assert.throws(
    () => parseKageFlags(argv),
    (err: unknown) => {
      assert.ok(err instanceof FlagError, `expected FlagError for ${argv.join(' ')}`);
      assert.match(err.message, message);
      return true;
    },
  );
}

test('errors name the offending flag', () => {
  assertFlagError(['--bogus'], /^unknown flag --bogus$/);
  assertFlagError(['--bogus=1'], /^unknown flag --bogus$/);
  assertFlagError(['--=x'], /^unknown flag --$/);
  assertFlagError(['-p', '1'], /unknown flag -p/);
  assertFlagError(['serve'], /unexpected argument "serve"/);
  assertFlagError(['--', 'x'], /unexpected argument "x"/);
  assertFlagError(['--port'], /^flag --port needs a value$/);
  assertFlagError(['--port', '--log-level', 'debug'], /^flag --port needs a value$/);
  assertFlagError(['--port', 'abc'], /invalid value "abc" for flag --port: expected an integer/);
  assertFlagError(['--port=1.5'], /for flag --port: expected an integer/);
  assertFlagError(['--port='], /invalid value "" for flag --port/);
  assertFlagError(['--port', '65536'], /invalid value 65536 for flag --port: must be between 0 and 65535/);
  assertFlagError(['--port', '-1'], /invalid value -1 for flag --port: must be between 0 and 65535/);
  assertFlagError(['--port', '99999999999999999999'], /for flag --port: must be between 0 and 65535/);
  assertFlagError(['--bind-address='], /^flag --bind-address must not be empty$/);
  assertFlagError(['--data-dir='], /^flag --data-dir must not be empty$/);
  assertFlagError(['--kubeconfig', ''], /^flag --kubeconfig must not be empty$/);
  assertFlagError(['--discovery-timeout', '5'], /invalid value "5" for flag --discovery-timeout: missing unit/);
  assertFlagError(['--discovery-timeout=soon'], /for flag --discovery-timeout: expected a duration/);
  assertFlagError(['--discovery-timeout=0s'], /for flag --discovery-timeout: must be at least 1ms/);
  assertFlagError(['--availability-check-interval=-1s'], /for flag --availability-check-interval: must be at least 1ms/);
  assertFlagError(['--availability-check-interval=1000h'], /for flag --availability-check-interval: must be at most/);
  assertFlagError(['--api-service', 'nope'], /invalid value "nope" for flag --api-service: expected <group>\/<version>=<https-url>/);
  assertFlagError(['--api-service=a.b/v1=http://x'], /for flag --api-service: the URL must use https/);
  assertFlagError(['--log-level', 'verbose'], /invalid value "verbose" for flag --log-level: must be one of debug, info, warn, error/);
  assertFlagError(['--help=maybe'], /invalid value "maybe" for flag --help: expected true or false/);
  assertFlagError(['--version=yes'], /for flag --version/);
});

test('a lone -- ends the flags', () => {
  assert.equal(parseKageFlags(['--port=1', '--']).port, 1);
});

test('the generic parser: string choices, allowEmpty, custom repeatable values', () => {
  const defs: FlagDefinition[] = [
    { name: 'mode', type: 'string', default: 'a', choices: ['a', 'b'], description: 'mode' },
    { name: 'label', type: 'string', default: '', allowEmpty: true, description: 'label' },
    { name: 'n', type: 'stringArray', parse: (v) => Number(v), description: 'numbers' },
  ];
  assert.deepEqual(parseFlags(defs, []), { mode: 'a', label: '', n: [] });
  assert.deepEqual(parseFlags(defs, ['--mode', 'b', '--label=', '--n', '1', '--n=2']), { mode: 'b', label: '', n: [1, 2] });
  assert.throws(() => parseFlags(defs, ['-h']), /unknown flag -h/); // no --help defined here
});

test('usage lists every flag with its default and description', () => {
  const text = usage();
  assert.match(text, /^Usage: kage \[flags\]/);
  for (const def of KAGE_FLAGS) {
    assert.ok(text.includes(`--${def.name}`), def.name);
    assert.ok(text.includes(def.description), def.description);
  }
  assert.match(text, /--port int\n\s+.*\(default 6443\)/);
  assert.match(text, /--bind-address ip\n\s+.*\(default "127\.0\.0\.1"\)/);
  assert.match(text, /--data-dir path\n\s+.*\(default "\.kage\/data"\)/);
  assert.match(text, /--kubeconfig path\n\s+.*\(default "\.kage\/kubeconfig"\)/);
  assert.match(text, /--discovery-timeout duration\n\s+.*\(default 5s\)/);
  assert.match(text, /--availability-check-interval duration\n\s+.*\(default 10s\)/);
  assert.match(text, /--api-service <group>\/<version>=<https-url>\n\s+.*\(repeatable\)/);
  assert.match(text, /--log-level debug\|info\|warn\|error\n\s+.*\(default "info"\)/);
});

test('--watch-bookmark-interval takes a duration and refuses tiny ones', () => {
  assert.equal(parseKageFlags(['--watch-bookmark-interval', '2s']).watchBookmarkIntervalMs, 2000);
  assert.throws(() => parseKageFlags(['--watch-bookmark-interval', '1ms']), /watch-bookmark-interval/);
});

test('--fsync is a boolean flag, off by default', () => {
  assert.equal(parseKageFlags([]).fsync, false);
  assert.equal(parseKageFlags(['--fsync']).fsync, true);
});
