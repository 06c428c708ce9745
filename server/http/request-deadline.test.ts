import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../api/errors.js';
import { parseRequestInfo } from './request-info.js';
import { isLongRunning, requestDeadlineMs } from './request-deadline.js';

function message(v: number | StatusError): string {
  assert.ok(v instanceof StatusError, `expected an error, got ${String(v)}`);
  assert.equal(v.status.code, 400);
  return v.status.message ?? '';
}

test('the deadline is the server\'s, or the client\'s shorter positive timeout', () => {
  assert.equal(requestDeadlineMs(null), 60_000);
  assert.equal(requestDeadlineMs('5s'), 5000);
  assert.equal(requestDeadlineMs('1m30s', 60_000), 60_000, 'longer than the server allows');
  assert.equal(requestDeadlineMs('0s'), 60_000, '0 means no timeout of the client\'s own');
  assert.equal(requestDeadlineMs('-5s'), 60_000);
  assert.equal(requestDeadlineMs('250ms', 1000), 250);
});

test('malformed timeouts are refused with Go\'s words', () => {
  assert.equal(message(requestDeadlineMs('abc')), 'invalid timeout specified in the request URL - time: invalid duration "abc"');
  assert.equal(message(requestDeadlineMs('5')), 'invalid timeout specified in the request URL - time: missing unit in duration "5"');
  assert.equal(message(requestDeadlineMs('5x')), 'invalid timeout specified in the request URL - time: unknown unit "x" in duration "5x"');
});

test('watches, proxy and streaming subresources are long-running', () => {
  assert.equal(isLongRunning(parseRequestInfo('GET', '/api/v1/namespaces/a/pods', true)), true);
  assert.equal(isLongRunning(parseRequestInfo('GET', '/api/v1/namespaces/a/pods/p/log', false)), true);
  assert.equal(isLongRunning(parseRequestInfo('POST', '/api/v1/namespaces/a/pods/p/exec', false)), true);
  assert.equal(isLongRunning(parseRequestInfo('GET', '/api/v1/namespaces/a/pods', false)), false);
  assert.equal(isLongRunning(parseRequestInfo('GET', '/apis/g/v/namespaces/a/things/t', false)), false);
});
