// List and watch options: selectors, resourceVersion semantics, continue tokens.
import { badRequest, expired, invalid, timeout, withDetails } from '../api/errors.js';
import type { StatusCause } from '../api/types.js';
import { parseLabelSelector, type LabelSelector } from '../selectors/labels.js';
import { fieldSelectorFor, type FieldSelector } from '../selectors/fields.js';
import type { ResourceDef } from '../registry/types.js';
import { intParam, boolParam } from '../http/query.js';

export type ResourceVersionMatch = '' | 'NotOlderThan' | 'Exact';

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit: number;
  continueToken?: ContinueToken;
  /** Parsed resourceVersion; undefined when absent, 0 for "0". */
  resourceVersion?: number;
  resourceVersionMatch: ResourceVersionMatch;
  watch: boolean;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

export interface ContinueToken {
  revision: number;
  /** Storage key the next page starts at. */
  startKey: string;
}

/** Parses a resourceVersion string; 400 for anything but a non-negative integer. */
export function parseResourceVersion(v: string, what = 'resourceVersion'): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw badRequest(`invalid ${what}: "${v}": must be a non-negative integer`);
  }
  return Number(v);
}

function listOptionsInvalid(causes: StatusCause[]): never {
  throw invalid('ListOptions', 'meta.k8s.io', '', causes);
}

/** Reads and validates list/watch query parameters for `def`. */
export function parseListOptions(q: URLSearchParams, def: ResourceDef, prefix: string): ListOptions {
  const opts: ListOptions = {
    limit: 0,
    resourceVersionMatch: '',
    watch: boolParam(q, 'watch'),
    allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks'),
  };
  const ls = q.get('labelSelector');
  if (ls) opts.labelSelector = parseLabelSelector(ls);
  const fs = q.get('fieldSelector');
  if (fs) opts.fieldSelector = fieldSelectorFor(def, fs);
  const limit = intParam(q, 'limit');
  if (limit !== undefined && limit > 0) opts.limit = limit;
  const rv = q.get('resourceVersion');
  if (rv !== null && rv !== '') opts.resourceVersion = parseResourceVersion(rv);
  const match = q.get('resourceVersionMatch');
  if (match) {
    if (match !== 'NotOlderThan' && match !== 'Exact') {
      listOptionsInvalid([{ reason: 'FieldValueNotSupported', field: 'resourceVersionMatch', message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan", ""` }]);
    }
    opts.resourceVersionMatch = match;
  }
  const sie = q.get('sendInitialEvents');
  if (sie !== null) opts.sendInitialEvents = boolParam(q, 'sendInitialEvents');
  const ts = intParam(q, 'timeoutSeconds');
  if (ts !== undefined) opts.timeoutSeconds = ts;
  const cont = q.get('continue');
  if (cont) opts.continueToken = decodeContinue(cont, prefix);

  // Combinations the real server refuses.
  if (opts.watch) {
    if (opts.sendInitialEvents !== undefined && opts.resourceVersionMatch !== 'NotOlderThan') {
      listOptionsInvalid([{ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan" }]);
    }
    if (opts.resourceVersionMatch && opts.sendInitialEvents === undefined) {
      listOptionsInvalid([{ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' }]);
    }
  } else {
    if (opts.sendInitialEvents !== undefined) {
      listOptionsInvalid([{ reason: 'FieldValueForbidden', field: 'sendInitialEvents', message: 'Forbidden: sendInitialEvents is forbidden for list' }]);
    }
    if (opts.resourceVersionMatch && opts.resourceVersion === undefined) {
      listOptionsInvalid([{ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided' }]);
    }
    if (opts.resourceVersionMatch === 'Exact' && opts.resourceVersion === 0) {
      listOptionsInvalid([{ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"' }]);
    }
    if (opts.continueToken && opts.resourceVersion !== undefined && opts.resourceVersion !== 0) {
      listOptionsInvalid([{ reason: 'FieldValueForbidden', field: 'resourceVersion', message: 'Forbidden: specifying resource version is not allowed when using continue' }]);
    }
    if (opts.continueToken && opts.resourceVersionMatch) {
      listOptionsInvalid([{ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided' }]);
    }
  }
  return opts;
}

// Continue tokens look like the real server's: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"<key after prefix>"}.
export function encodeContinue(revision: number, startKey: string, prefix: string): string {
  const body = JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start: startKey.slice(prefix.length) });
  return Buffer.from(body).toString('base64url');
}

function decodeContinue(token: string, prefix: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  const p = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (p === null || typeof p !== 'object' || p.v !== 'meta.k8s.io/v1' || typeof p.rv !== 'number' ||
      !Number.isSafeInteger(p.rv) || p.rv <= 0 || typeof p.start !== 'string' || p.start.includes('..')) {
    throw badRequest('continue key is not valid: the continue token is malformed');
  }
  return { revision: p.rv, startKey: prefix + p.start };
}

/** The 410 a list answers when its continue token's snapshot is gone. */
export function continueExpired(): Error {
  return expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
}

/** The 504 for a resourceVersion newer than anything stored. */
export function tooLargeResourceVersion(requested: number, current: number): Error {
  return withDetails(timeout(`Too large resource version: ${requested}, current: ${current}`), {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1,
  });
}
