// The deadline of a request, as kube-apiserver's WithRequestDeadline filter sets it: long-running requests
// (watches, proxy, exec/attach/log/portforward) have none; others get the server's request timeout (60 s), or the
// client's shorter `?timeout=` (a Go duration; 0 means "the server's"). A malformed `timeout` is a 400.
import { badRequest, type StatusError } from '../api/errors.js';
import { parseDuration } from '../cli/flags.js';
import type { RequestInfo } from './request-info.js';

/** kube-apiserver's --request-timeout default. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

// Verbs and subresources kube-apiserver treats as long-running (no request deadline).
const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

/** Whether kube-apiserver exempts a request from its deadline (the LongRunningRequestCheck). */
export function isLongRunning(info: RequestInfo): boolean {
  return LONG_RUNNING_VERBS.has(info.verb) || LONG_RUNNING_SUBRESOURCES.has(info.subresource);
}

/** Go's time.ParseDuration error for a value our parser refused. */
function goDurationError(value: string): string {
  const quoted = JSON.stringify(value);
  if (/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(value)) return `time: missing unit in duration ${quoted}`;
  const unit = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)([^\d.]+)/.exec(value);
  if (unit && !/^(ns|us|µs|μs|ms|s|m|h)(\d|\.|$)/.test(unit[1]!)) {
    return `time: unknown unit ${JSON.stringify(unit[1]!.replace(/[\d.].*$/, ''))} in duration ${quoted}`;
  }
  return `time: invalid duration ${quoted}`;
}

/**
 * The deadline (ms) of a request that is not long-running, from its `timeout` query value (null when absent);
 * a StatusError (400) when the value is not a duration.
 */
export function requestDeadlineMs(timeoutParam: string | null, serverTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): number | StatusError {
  if (timeoutParam === null || timeoutParam === '') return serverTimeoutMs;
  let ms: number;
  try {
    // Go rejects surrounding spaces, which parseDuration would forgive.
    if (timeoutParam.trim() !== timeoutParam) throw new Error('spaces');
    ms = parseDuration(timeoutParam);
  } catch {
    return badRequest(`invalid timeout specified in the request URL - ${goDurationError(timeoutParam)}`);
  }
  return ms > 0 && ms < serverTimeoutMs ? ms : serverTimeoutMs;
}
