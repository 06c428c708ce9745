import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/types.js';
import { StatusError } from '../api/errors.js';
import type { FieldGetter } from '../registry/types.js';
import { escapeFieldValue, fieldSelectorFor, parseFieldSelector } from './fields.js';
import { builtinResources } from '../registry/resources/index.js';

const podFields: Record<string, FieldGetter> = {
  'spec.nodeName': (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName,
  'status.phase': (o) => (o.status as { phase?: string } | undefined)?.phase,
};

const pod = (name: string, nodeName?: string, phase = 'Running'): KubeObject => ({
  metadata: { name, namespace: 'default' },
  spec: nodeName ? { nodeName } : {},
  status: { phase },
});

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.status.code, 400);
    assert.equal(e.status.reason, 'BadRequest');
    return e.status.message!;
  }
  assert.fail('expected a BadRequest');
}

test('=, == and != with comma as AND', () => {
  const a = pod('a', 'n1');
  const b = pod('b', 'n2', 'Pending');
  const c = pod('c');
  const sel = (s: string) => parseFieldSelector(s, podFields, 'pods');
  assert.deepEqual([a, b, c].filter((p) => sel('spec.nodeName=n1').matches(p)).map((p) => p.metadata.name), ['a']);
  assert.deepEqual([a, b, c].filter((p) => sel('spec.nodeName==n2').matches(p)).map((p) => p.metadata.name), ['b']);
  assert.deepEqual([a, b, c].filter((p) => sel('spec.nodeName!=n1').matches(p)).map((p) => p.metadata.name), ['b', 'c']);
  // Absent fields read as "".
  assert.deepEqual([a, b, c].filter((p) => sel('spec.nodeName=').matches(p)).map((p) => p.metadata.name), ['c']);
  assert.deepEqual(
    [a, b, c].filter((p) => sel('status.phase=Running,spec.nodeName!=n1').matches(p)).map((p) => p.metadata.name),
    ['c'],
  );
  assert.equal(sel('').empty(), true);
  assert.equal(sel('').matches(a), true);
  assert.equal(sel(',,').matches(a), true);
});

test('metadata.name and metadata.namespace are always selectable', () => {
  const s = parseFieldSelector('metadata.name=a,metadata.namespace=default', {}, 'configmaps');
  assert.equal(s.matches(pod('a')), true);
  assert.equal(s.matches(pod('b')), false);
  assert.equal(s.requiredName(), 'a');
  assert.equal(s.requiredNamespace(), 'default');
  assert.equal(parseFieldSelector('metadata.name!=a', {}, 'x').requiredName(), undefined);
  assert.equal(parseFieldSelector('metadata.name==a', {}, 'x').requiredName(), 'a');
});

test('escapes: \\, \\= and \\\\ in values', () => {
  const s = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d', {}, 'x');
  assert.equal(s.requiredName(), 'a,b=c\\d');
  assert.equal(s.matches({ metadata: { name: 'a,b=c\\d' } }), true);
  assert.equal(escapeFieldValue('a,b=c\\d'), 'a\\,b\\=c\\\\d');
  assert.equal(s.toString(), 'metadata.name=a\\,b\\=c\\\\d');
  // An escaped comma does not split terms.
  const one = parseFieldSelector('metadata.name=x\\,y', {}, 'x');
  assert.equal(one.requirements.length, 1);
  assert.equal(one.requiredName(), 'x,y');
});

test('syntax errors', () => {
  assert.equal(message(() => parseFieldSelector('a', {}, 'x')), "invalid selector: 'a'; can't understand 'a'");
  assert.equal(
    message(() => parseFieldSelector('metadata.name=a,b', {}, 'x')),
    "invalid selector: 'metadata.name=a,b'; can't understand 'b'",
  );
  assert.equal(message(() => parseFieldSelector(' ', {}, 'x')), "invalid selector: ' '; can't understand ' '");
  assert.equal(message(() => parseFieldSelector('metadata.name=a=b', {}, 'x')), 'invalid field selector: unescaped character in value: 61');
  assert.equal(message(() => parseFieldSelector('metadata.name=a\\q', {}, 'x')), 'invalid field selector: invalid escape sequence: \\q');
  assert.equal(message(() => parseFieldSelector('metadata.name=a\\', {}, 'x')), 'invalid field selector: invalid escape sequence: \\');
});

test('unsupported fields: core kinds with their own fields vs the default message', () => {
  assert.equal(message(() => parseFieldSelector('spec.foo=x', podFields, 'pods')), 'field label not supported: spec.foo');
  assert.equal(
    message(() => parseFieldSelector('spec.foo=x', {}, 'configmaps')),
    '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  // The lhs is not trimmed.
  assert.equal(message(() => parseFieldSelector('metadata.name =x', podFields, 'pods')), 'field label not supported: metadata.name ');
  // Terms are checked in sorted order.
  assert.equal(message(() => parseFieldSelector('zzz=1,aaa=1', podFields, 'pods')), 'field label not supported: aaa');
});

test('fieldSelectorFor takes fields and scope from the row', () => {
  const byPlural = (group: string, plural: string) => builtinResources.find((d) => d.group === group && d.plural === plural)!;
  const pods = byPlural('', 'pods');
  assert.equal(fieldSelectorFor(pods, 'spec.nodeName=n1').matches(pod('a', 'n1')), true);
  assert.equal(fieldSelectorFor(pods, 'spec.host=n1').matches(pod('a', 'n1')), true);
  assert.equal(fieldSelectorFor(pods, 'spec.hostNetwork=false').matches(pod('a')), true);
  // Cluster-scoped kinds with their own conversion reject metadata.namespace.
  assert.equal(message(() => fieldSelectorFor(byPlural('', 'namespaces'), 'metadata.namespace=x')), 'field label not supported: metadata.namespace');
  assert.equal(message(() => fieldSelectorFor(byPlural('', 'nodes'), 'metadata.namespace=x')), 'field label not supported: metadata.namespace');
  assert.equal(fieldSelectorFor(byPlural('', 'nodes'), 'spec.unschedulable=false').matches({ metadata: { name: 'n' } }), true);
  // Kinds without one accept it (it is simply empty for cluster-scoped objects).
  assert.equal(fieldSelectorFor(byPlural('apiregistration.k8s.io', 'apiservices'), 'metadata.namespace=').matches({ metadata: { name: 'v1.' } }), true);
  assert.equal(
    message(() => fieldSelectorFor(byPlural('apps', 'deployments'), 'status.replicas=1')),
    '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  const secrets = byPlural('', 'secrets');
  assert.equal(fieldSelectorFor(secrets, 'type=Opaque').matches({ metadata: { name: 's' }, type: 'Opaque' }), true);
});
