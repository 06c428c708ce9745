import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  annotationsSize,
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  TOTAL_ANNOTATION_SIZE_LIMIT,
  validateAnnotations,
  validateGenerateName,
  validateLabels,
  validateMetadataName,
  validateName,
} from './names.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name' or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

test('DNS-1123 subdomain: valid names and the exact Kubernetes message', () => {
  for (const ok of ['a', 'example.com', 'a-b.c-d', '0', 'a'.repeat(253)]) assert.deepEqual(isDNS1123Subdomain(ok), [], ok);
  assert.deepEqual(isDNS1123Subdomain('Foo'), [SUBDOMAIN_MSG]);
  assert.deepEqual(isDNS1123Subdomain('a_b'), [SUBDOMAIN_MSG]);
  assert.deepEqual(isDNS1123Subdomain('-a'), [SUBDOMAIN_MSG]);
  assert.deepEqual(isDNS1123Subdomain('a.'), [SUBDOMAIN_MSG]);
  assert.deepEqual(isDNS1123Subdomain(''), [SUBDOMAIN_MSG]);
  assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  assert.deepEqual(isDNS1123Subdomain('A'.repeat(254)), ['must be no more than 253 characters', SUBDOMAIN_MSG]);
});

test('DNS-1123 label: dots get their own message, length limit 63', () => {
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('123-abc'), []);
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('A'), [LABEL_MSG]);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isDNS1123Label('a'.repeat(63)), []);
});

test('DNS-1035 label: must start with a letter', () => {
  assert.deepEqual(isDNS1035Label('web'), []);
  assert.deepEqual(isDNS1035Label('1web'), [DNS1035_MSG]);
  assert.deepEqual(isDNS1035Label('a.b'), [DNS1035_MSG]);
  assert.deepEqual(isDNS1035Label('a'.repeat(64)), ['must be no more than 63 characters']);
});

test('validateName per rule', () => {
  assert.deepEqual(validateName('dns1123-subdomain', 'my.app'), []);
  assert.deepEqual(validateName('dns1123-label', 'my.app'), ['must not contain dots']);
  assert.deepEqual(validateName('dns1035-label', '9lives'), [DNS1035_MSG]);
  assert.deepEqual(validateName('path-segment', 'Anything Goes:Here'), []);
  assert.deepEqual(validateName('path-segment', '.'), ["may not be '.'"]);
  assert.deepEqual(validateName('path-segment', '..'), ["may not be '..'"]);
  assert.deepEqual(validateName('path-segment', 'a/b%c'), ["may not contain '/'", "may not contain '%'"]);
  assert.deepEqual(validateName('apiservice', 'v1beta1.wardle.example.com'), []);
  assert.deepEqual(validateName('apiservice', 'a/b'), ["may not contain '/'"]);
});

test('generateName prefixes may end with a dash', () => {
  assert.deepEqual(validateGenerateName('dns1123-subdomain', 'web-'), []);
  assert.deepEqual(validateGenerateName('dns1123-label', 'web-'), []);
  assert.deepEqual(validateGenerateName('dns1035-label', 'svc-'), []);
  assert.deepEqual(validateGenerateName('path-segment', '..'), []);
  assert.deepEqual(validateGenerateName('path-segment', 'a/'), ["may not contain '/'"]);
  assert.deepEqual(validateGenerateName('dns1123-subdomain', 'Web-'), [SUBDOMAIN_MSG]);
  // Kubernetes masks the last two characters of a dash-terminated prefix with one 'a', so "X-" passes.
  assert.deepEqual(validateGenerateName('dns1123-subdomain', 'X-'), []);
  // A lone dash is not masked.
  assert.deepEqual(validateGenerateName('dns1123-subdomain', '-'), [SUBDOMAIN_MSG]);
});

test('validateMetadataName reports generateName, then name, like ValidateObjectMeta', () => {
  assert.deepEqual(validateMetadataName('dns1123-subdomain', {}), [
    { reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' },
  ]);
  assert.deepEqual(validateMetadataName('dns1123-subdomain', { name: 'Bad' }), [
    { reason: 'FieldValueInvalid', message: `Invalid value: "Bad": ${SUBDOMAIN_MSG}`, field: 'metadata.name' },
  ]);
  assert.deepEqual(validateMetadataName('dns1123-subdomain', { name: 'ok' }), []);
  const causes = validateMetadataName('dns1123-subdomain', { generateName: 'Xy-' });
  assert.equal(causes[0]!.field, 'metadata.generateName');
  assert.equal(causes[1]!.field, 'metadata.name');
});

test('qualified names (label and annotation keys)', () => {
  for (const ok of ['app', 'app.kubernetes.io/name', 'a_b', 'A.b-C', 'example.com/MyName']) assert.deepEqual(isQualifiedName(ok), [], ok);
  const regex = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName' or 'my.name' or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  assert.deepEqual(isQualifiedName('-a'), [`name part ${regex}`]);
  assert.deepEqual(isQualifiedName('/a'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('a/'), ['name part must be non-empty', `name part ${regex}`]);
  assert.deepEqual(isQualifiedName('Example.com/a'), [`prefix part ${SUBDOMAIN_MSG}`]);
  assert.deepEqual(isQualifiedName('a'.repeat(64)), ['name part must be no more than 63 characters']);
  assert.deepEqual(isQualifiedName('a/b/c'), [
    `a qualified name ${regex} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ]);
});

test('label values', () => {
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('v1.2_3-x'), []);
  const msg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue' or 'my_value' or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  assert.deepEqual(isValidLabelValue('a b'), [msg]);
  assert.deepEqual(isValidLabelValue('a'.repeat(64)), ['must be no more than 63 characters']);
});

test('validateLabels returns causes on metadata.labels', () => {
  assert.deepEqual(validateLabels({ app: 'web', 'app.kubernetes.io/part-of': 'x' }), []);
  const causes = validateLabels({ 'bad key': 'ok', good: 'bad value!' });
  assert.equal(causes.length, 2);
  assert.deepEqual(
    causes.map((c) => [c.reason, c.field]),
    [
      ['FieldValueInvalid', 'metadata.labels'],
      ['FieldValueInvalid', 'metadata.labels'],
    ],
  );
  assert.match(causes[0]!.message!, /^Invalid value: "bad key": name part must consist of/);
  assert.match(causes[1]!.message!, /^Invalid value: "bad value!": a valid label must be an empty string/);
  assert.equal(validateLabels({ 'x/y': 'z' }, 'spec.selector').length, 0);
  assert.equal(validateLabels(undefined).length, 0);
});

test('annotations: qualified keys (case-insensitive) and 256 KiB in total', () => {
  assert.deepEqual(validateAnnotations({ 'Example.COM/Key': 'v' }), []);
  assert.equal(validateAnnotations({ 'a b': 'v' })[0]!.field, 'metadata.annotations');
  const big = { k: 'x'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT) };
  assert.equal(annotationsSize(big), TOTAL_ANNOTATION_SIZE_LIMIT + 1);
  assert.deepEqual(validateAnnotations(big), [
    { reason: 'FieldValueTooLong', message: 'Too long: may not be more than 262144 bytes', field: 'metadata.annotations' },
  ]);
  assert.deepEqual(validateAnnotations({ k: 'x'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT - 1) }), []);
  // Sizes are counted in UTF-8 bytes.
  assert.equal(annotationsSize({ k: 'é' }), 3);
});

test('config keys, port numbers and port names', () => {
  assert.deepEqual(isConfigMapKey('app.properties'), []);
  assert.deepEqual(isConfigMapKey('.hidden'), []);
  assert.deepEqual(isConfigMapKey('..'), ["must not be '..'"]);
  assert.deepEqual(isConfigMapKey('..x'), ["must not start with '..'"]);
  assert.deepEqual(isConfigMapKey('a b'), [
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name' or 'KEY_NAME' or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ]);
  assert.deepEqual(isValidPortNum(80), []);
  assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
  assert.deepEqual(isValidPortNum(65536), ['must be between 1 and 65535, inclusive']);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('80'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('-a--b'), ['must not contain consecutive hyphens', 'must not begin or end with a hyphen']);
});
