import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../api/errors.js';
import {
  formatLabels,
  formatLabelSelector,
  labelSelectorFromObject,
  labelSelectorFromSet,
  labelSelectorString,
  parseLabelSelector,
  validateLabelSelectorObject,
} from './labels.js';

const web = { app: 'web', tier: 'frontend', version: '3' };

function parseError(s: string): string {
  try {
    parseLabelSelector(s);
  } catch (e) {
    assert.ok(e instanceof StatusError, 'a StatusError');
    assert.equal(e.status.code, 400);
    assert.equal(e.status.reason, 'BadRequest');
    return e.status.message!;
  }
  assert.fail(`expected ${JSON.stringify(s)} to be rejected`);
}

test('every operator matches as Kubernetes does', () => {
  const cases: Array<[string, Record<string, string> | undefined, boolean]> = [
    ['app=web', web, true],
    ['app==web', web, true],
    ['app=db', web, false],
    ['app!=db', web, true],
    ['app!=web', web, false],
    ['missing!=x', web, true], // != matches objects without the label
    ['app in (web,db)', web, true],
    ['app in (db)', web, false],
    ['app notin (db)', web, true],
    ['app notin (web)', web, false],
    ['missing notin (x)', web, true],
    ['app', web, true],
    ['missing', web, false],
    ['!missing', web, true],
    ['!app', web, false],
    ['version>2', web, true],
    ['version>3', web, false],
    ['version<4', web, true],
    ['app>1', web, false], // not an integer label value
    ['missing<1', web, false],
    ['app=web,tier=frontend', web, true],
    ['app=web,tier=backend', web, false],
    ['', web, true],
    ['', undefined, true],
    ['app', undefined, false],
    ['!app', undefined, true],
    ['x=', { x: '' }, true],
    ['x=', {}, false],
    ['x in (a,,b)', { x: '' }, true],
  ];
  for (const [sel, labels, want] of cases) {
    assert.equal(parseLabelSelector(sel).matches(labels), want, `${sel} on ${JSON.stringify(labels)}`);
  }
});

test('whitespace is tolerated and keywords are values in value position', () => {
  assert.equal(parseLabelSelector('  app  =  web ,\ttier in ( frontend , backend ) ').matches(web), true);
  assert.equal(parseLabelSelector('x in (in,notin)').matches({ x: 'notin' }), true);
  assert.equal(parseLabelSelector('in=notin').matches({ in: 'notin' }), true);
  assert.equal(parseLabelSelector('notin notin (in)').matches({ notin: 'x' }), true);
});

test('canonical string: sorted by key, set values sorted', () => {
  assert.equal(parseLabelSelector('z=1,a in (c,b),!m,k,n>5,o<2,p==q,r!=s').toString(), 'a in (b,c),k,!m,n>5,o<2,p==q,r!=s,z=1');
  assert.equal(parseLabelSelector('a in (x,,y)').toString(), 'a in (,x,y)');
  assert.equal(parseLabelSelector('').toString(), '');
  assert.equal(parseLabelSelector('').empty(), true);
});

test('requiresExactMatch', () => {
  assert.equal(parseLabelSelector('app=web').requiresExactMatch('app'), 'web');
  assert.equal(parseLabelSelector('app in (web)').requiresExactMatch('app'), 'web');
  assert.equal(parseLabelSelector('app in (web,db)').requiresExactMatch('app'), undefined);
  assert.equal(parseLabelSelector('app!=web').requiresExactMatch('app'), undefined);
});

test('parse errors carry the real messages', () => {
  const keyMsg =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName' or 'my.name' or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  const valueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue' or 'my_value' or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  const cases: Array<[string, string]> = [
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a in (,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['!=a', "found '!=', expected: !, identifier, or 'end of string'"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a,,b', "found ',', expected: identifier after ','"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a>x', "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['a@=b', `unable to parse requirement: <nil>: Invalid value: "a@": ${keyMsg}`],
    ['a=b@', `unable to parse requirement: values[0][a]: Invalid value: "b@": ${valueMsg}`],
    ['a in (ok,b@)', `unable to parse requirement: values[0][a]: Invalid value: "b@": ${valueMsg}`],
    [
      'a>x@',
      `unable to parse requirement: [values[0]: Invalid value: "x@": for 'Gt', 'Lt' operators, the value must be an integer, values[0][a]: Invalid value: "x@": ${valueMsg}]`,
    ],
  ];
  for (const [sel, msg] of cases) assert.equal(parseError(sel), msg, sel);
});

test('labelSelectorFromObject: nil matches nothing, empty matches everything', () => {
  assert.equal(labelSelectorFromObject(undefined).matches(web), false);
  assert.equal(labelSelectorFromObject(null).matchesNothing(), true);
  assert.equal(labelSelectorFromObject({}).matches(web), true);
  assert.equal(labelSelectorFromObject({}).empty(), true);
  const sel = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['frontend', 'backend'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'version', operator: 'Exists' },
      { key: 'zone', operator: 'NotIn', values: ['b', 'a'] },
    ],
  });
  assert.equal(sel.matches(web), true);
  assert.equal(sel.matches({ ...web, canary: 'true' }), false);
  assert.equal(sel.toString(), 'app=web,!canary,tier in (backend,frontend),version,zone notin (a,b)');
});

test('labelSelectorFromObject rejects bad operators and values', () => {
  assert.throws(
    () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }),
    (e: unknown) => e instanceof StatusError && e.status.message === '"Gt" is not a valid label selector operator',
  );
  assert.throws(
    () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    (e: unknown) =>
      e instanceof StatusError && e.status.message === "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
  );
  assert.throws(() => labelSelectorFromObject({ matchLabels: { 'bad key': 'x' } }), StatusError);
});

test('formatting helpers', () => {
  assert.equal(formatLabelSelector({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
  assert.equal(labelSelectorString({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(labelSelectorString(undefined), '');
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
  assert.equal(labelSelectorFromSet({ app: 'web' }).matches(web), true);
  assert.equal(labelSelectorFromSet({}).matches(undefined), true);
});

test('validateLabelSelectorObject reports spec fields like ValidateLabelSelector', () => {
  assert.deepEqual(validateLabelSelectorObject({ matchLabels: { app: 'web' } }, 'spec.selector'), []);
  assert.deepEqual(
    validateLabelSelectorObject(
      {
        matchExpressions: [
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'Like' },
        ],
      },
      'spec.selector',
    ),
    [
      {
        reason: 'FieldValueRequired',
        message: "Required value: must be specified when `operator` is 'In' or 'NotIn'",
        field: 'spec.selector.matchExpressions[0].values',
      },
      {
        reason: 'FieldValueForbidden',
        message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        field: 'spec.selector.matchExpressions[1].values',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "Like": not a valid selector operator',
        field: 'spec.selector.matchExpressions[2].operator',
      },
    ],
  );
  const bad = validateLabelSelectorObject({ matchLabels: { app: 'a b' } }, 'spec.selector');
  assert.equal(bad[0]!.field, 'spec.selector.matchLabels');
});
