// Watch: a chunked stream of newline-delimited WatchEvents ({"type":...,"object":...}).
//
//   resourceVersion absent or "0", or sendInitialEvents=true: ADDED for every current (matching) object first
//   resourceVersion=N: every change after N from the store's history, then live changes; when N is older than the
//     history an ERROR event (410 Expired) ends the stream, as the watch cache does
//   allowWatchBookmarks=true: BOOKMARK events every bookmark interval (and the initial-events-end bookmark after
//     sendInitialEvents=true)
//   timeoutSeconds: the stream ends after that long (default: 30 minutes)
// A MODIFIED that makes an object start or stop matching the selectors is sent as ADDED or DELETED.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ordered } from './flunder.js';
import type { Matcher } from './selectors.js';
import type { ChangeEvent, FlunderStore } from './store.js';
import { ApiError, badRequest, expired } from './status.js';
import { partialObject, toTable } from './table.js';
import type { IncludeObject, MetaVersion } from './table.js';
import { GROUP_VERSION, KIND } from './types.js';
import type { Flunder } from './types.js';

export type WatchOutput = { form: 'object' } | { form: 'table'; version: MetaVersion; includeObject: IncludeObject } | { form: 'partial'; version: MetaVersion };

export interface WatchRequest {
  namespace?: string;
  match: Matcher;
  resourceVersion?: string;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  timeoutMs: number;
  bookmarkIntervalMs: number;
  output: WatchOutput;
}

export const DEFAULT_WATCH_TIMEOUT_MS = 30 * 60 * 1000;

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Parses ?resourceVersion= for a watch: undefined/'' and '0' mean "from now, with initial events". */
function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '' || rv === '0') return undefined;
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return Number(rv);
}

function bookmarkObject(rv: number, initialEventsEnd: boolean): object {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv), creationTimestamp: null };
  if (initialEventsEnd) metadata['annotations'] = { 'k8s.io/initial-events-end': 'true' };
  return { kind: KIND, apiVersion: GROUP_VERSION, metadata, spec: {}, status: {} };
}

/**
 * Serves a watch. Registers a stop function in `active` while the stream is open (for shutdown).
 * Errors found before the stream starts (a malformed resourceVersion) are thrown as ApiErrors.
 */
export function serveWatch(req: IncomingMessage, res: ServerResponse, store: FlunderStore, w: WatchRequest, active: Set<() => void>): void {
  const fromRv = parseResourceVersion(w.resourceVersion);
  const inNamespace = (o: Flunder): boolean => w.namespace === undefined || o.metadata.namespace === w.namespace;
  const selected = (o: Flunder | undefined): boolean => o !== undefined && inNamespace(o) && w.match(o);

  // Collect the starting events and subscribe in the same synchronous step, so nothing is missed or doubled.
  const queue: ChangeEvent[] = [];
  let initial: Flunder[] = [];
  let backlog: ChangeEvent[] | 'expired' = [];
  const withInitial = fromRv === undefined || w.sendInitialEvents;
  if (withInitial) initial = store.list(w.namespace).filter(selected);
  else backlog = store.eventsSince(fromRv!);
  let live = false;
  const unsubscribe = store.subscribe((e) => {
    if (live) send(e);
    else queue.push(e);
  });

  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('Transfer-Encoding', 'chunked');
  res.flushHeaders();

  let first = true;
  let closed = false;
  const timers: NodeJS.Timeout[] = [];

  const encode = (type: EventType, obj: Flunder | object, isObject: boolean): string => {
    let out: unknown = obj;
    if (isObject) {
      const f = obj as Flunder;
      if (w.output.form === 'table') {
        out = toTable([f], { version: w.output.version, includeObject: w.output.includeObject, noHeaders: !first });
        first = false;
      } else if (w.output.form === 'partial') {
        out = partialObject(f, w.output.version);
      } else {
        out = ordered(f);
      }
    }
    return `${JSON.stringify({ type, object: out })}\n`;
  };

  const write = (line: string): void => {
    if (closed) return;
    res.write(line);
  };

  function send(e: ChangeEvent): void {
    const now = selected(e.object);
    const before = selected(e.previous);
    let type: EventType | undefined;
    if (e.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (e.type === 'DELETED') type = before ? 'DELETED' : undefined;
    else if (now && before) type = 'MODIFIED';
    else if (now) type = 'ADDED';
    else if (before) type = 'DELETED';
    if (type === undefined) return;
    // An object that stops matching is reported DELETED as it is now (with the new resourceVersion).
    write(encode(type, e.object, true));
  }

  const stop = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    active.delete(stop);
    if (!res.writableEnded) res.end();
  };
  active.add(stop);
  req.on('close', stop);
  res.on('close', stop);
  res.on('error', stop);

  if (backlog === 'expired') {
    const status = expired(`too old resource version: ${fromRv} (${store.oldestResumableVersion})`).toStatus();
    write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
    stop();
    return;
  }
  for (const obj of initial) write(encode('ADDED', obj, true));
  if (w.sendInitialEvents && w.allowBookmarks) {
    write(encode('BOOKMARK', bookmarkObjectFor(store.resourceVersion, true), false));
  }
  for (const e of backlog) send(e);
  for (const e of queue) send(e);
  live = true;

  if (w.allowBookmarks && w.bookmarkIntervalMs > 0) {
    const tick = (): void => {
      write(encode('BOOKMARK', bookmarkObjectFor(store.resourceVersion, false), false));
      timers[0] = setTimeout(tick, w.bookmarkIntervalMs);
    };
    timers[0] = setTimeout(tick, w.bookmarkIntervalMs);
  }
  timers.push(setTimeout(stop, w.timeoutMs));

  function bookmarkObjectFor(rv: number, initialEventsEnd: boolean): object {
    if (w.output.form === 'table') {
      const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
      return { kind: 'Table', apiVersion: `meta.k8s.io/${w.output.version}`, metadata, columnDefinitions: null, rows: [] };
    }
    if (w.output.form === 'partial') {
      const b = bookmarkObject(rv, initialEventsEnd) as { metadata: unknown };
      return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${w.output.version}`, metadata: b.metadata };
    }
    return bookmarkObject(rv, initialEventsEnd);
  }
}

/** ?timeoutSeconds= as milliseconds (default 30 minutes); 400 when not a non-negative integer. */
export function watchTimeoutMs(v: string | null): number {
  if (v === null || v === '') return DEFAULT_WATCH_TIMEOUT_MS;
  if (!/^\d+$/.test(v)) throw new ApiError(400, 'BadRequest', `invalid timeoutSeconds: ${JSON.stringify(v)}`);
  const s = Number(v);
  return s === 0 ? DEFAULT_WATCH_TIMEOUT_MS : s * 1000;
}
