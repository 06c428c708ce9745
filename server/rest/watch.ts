// WATCH: a chunked stream of newline-delimited WatchEvents, from a resourceVersion or the current state.
import type { KubeObject, Status } from '../api/types.js';
import { StoreError, type StoreEvent, type StoreWatcher, type StoredRecord } from '../../storage/store.js';
import { chooseOutput, type OutputChoice } from '../http/accept.js';
import type { ResourceDef } from '../registry/types.js';
import { groupVersionString } from '../registry/types.js';
import { tableRowEvent } from './watch-table.js';
import { listPrefix, objectKey } from './keys.js';
import type { RestRequest } from './context.js';
import { parseListOptions, tooLargeResourceVersion } from './list-options.js';
import { partialOf } from './output.js';
import { matchesSelectors } from './selection.js';

/** Open watches, so shutdown can end them. */
const openWatches = new Set<() => void>();

/** Ends every open watch stream (used on shutdown). */
export function closeAllWatches(): void {
  for (const stop of [...openWatches]) stop();
}

// A client that stops reading gets its watch closed rather than buffering without bound.
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

interface Encoder {
  /** One event line, including the trailing newline. */
  line(type: 'ADDED' | 'MODIFIED' | 'DELETED', record: StoredRecord): string;
}

function objectEncoder(def: ResourceDef, out: OutputChoice): Encoder {
  if (out.form === 'table') return tableRowEvent(def, out.includeObject);
  if (out.form === 'partial') {
    return { line: (type, rec) => `{"type":"${type}","object":${JSON.stringify(partialOf(rec.object))}}\n` };
  }
  return { line: (type, rec) => `{"type":"${type}","object":${rec.json}}\n` };
}

function errorLine(status: Status): string {
  return `${JSON.stringify({ type: 'ERROR', object: status })}\n`;
}

function bookmarkLine(def: ResourceDef, revision: number, initialEventsEnd: boolean): string {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return `${JSON.stringify({ type: 'BOOKMARK', object: { kind: def.kind, apiVersion: groupVersionString(def), metadata } })}\n`;
}

// With bookmarks allowed, one more comes this long before the watch times out (as the watch cache sends it), so
// the client's next watch resumes from a fresh resourceVersion.
const PRE_TIMEOUT_BOOKMARK_MS = 2000;

// Without timeoutSeconds a watch lasts 30 to 60 minutes, as the real server spreads them.
function defaultTimeoutMs(): number {
  return (1800 + Math.floor(Math.random() * 1800)) * 1000;
}

/** GET …?watch=true (or /watch/…). */
export async function watchObjects(r: RestRequest): Promise<void> {
  const { def, res, req } = r;
  const store = r.services.store;
  const out = chooseOutput(req.headers.accept, r.query.get('includeObject'), true);
  const prefix = listPrefix(def, r.info.namespace);
  const opts = parseListOptions(r.query, def, prefix);
  const onlyKey = r.info.name ? objectKey(def, r.info.namespace, r.info.name) : undefined;
  const encoder = objectEncoder(def, out);
  const matches = (rec: StoredRecord): boolean =>
    (onlyKey === undefined || rec.key === onlyKey) && matchesSelectors(rec.object, opts);

  const current = store.currentRevision();
  const rv = opts.resourceVersion;
  if (rv !== undefined && rv > current) throw tooLargeResourceVersion(rv, current);
  const sendInitial = opts.sendInitialEvents ?? (rv === undefined || rv === 0);

  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('Transfer-Encoding', 'chunked');
  res.flushHeaders();

  let watcher: StoreWatcher | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let preTimeoutBookmark: NodeJS.Timeout | undefined;
  let closed = false;
  const stop = (): void => {
    if (closed) return;
    closed = true;
    openWatches.delete(stop);
    watcher?.stop();
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    if (preTimeoutBookmark) clearTimeout(preTimeoutBookmark);
    clearTimeout(timeoutTimer);
    if (!res.writableEnded) res.end();
  };
  const timeoutMs = opts.timeoutSeconds !== undefined ? opts.timeoutSeconds * 1000 : defaultTimeoutMs();
  const deadline = Date.now() + timeoutMs;
  const timeoutTimer = setTimeout(stop, timeoutMs);
  openWatches.add(stop);
  res.on('close', stop);
  req.on('close', () => { if (!res.writableFinished) stop(); });

  const write = (text: string): void => {
    if (closed) return;
    res.write(text);
    if (res.writableLength > MAX_BUFFERED_BYTES) stop();
  };

  let startRevision = rv ?? current;
  if (sendInitial) {
    const page = await store.list({ prefix });
    startRevision = page.revision;
    let chunk = '';
    for (const rec of page.records) if (matches(rec)) chunk += encoder.line('ADDED', rec);
    if (chunk) write(chunk);
    if (opts.sendInitialEvents) write(bookmarkLine(def, page.revision, true));
  }
  if (closed) return;

  try {
    watcher = store.watch(prefix, startRevision, (ev: StoreEvent) => {
      const line = eventLine(ev, matches, encoder);
      if (line) write(line);
    });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'Expired') {
      write(errorLine({
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
        message: `too old resource version: ${startRevision} (${err.oldestRevision ?? store.oldestRevision()})`,
        reason: 'Expired', code: 410,
      }));
      stop();
      return;
    }
    stop();
    throw err;
  }
  if (closed) {
    watcher.stop();
    return;
  }
  if (opts.allowWatchBookmarks) {
    bookmarkTimer = setInterval(() => write(bookmarkLine(def, store.currentRevision(), false)), r.services.bookmarkIntervalMs);
    bookmarkTimer.unref();
    const untilPreTimeout = deadline - PRE_TIMEOUT_BOOKMARK_MS - Date.now();
    if (untilPreTimeout > 0) {
      preTimeoutBookmark = setTimeout(() => write(bookmarkLine(def, store.currentRevision(), false)), untilPreTimeout);
      preTimeoutBookmark.unref();
    }
  }
}

/** The event a watcher sees, given selectors: objects moving in or out of the selection become ADDED/DELETED. */
function eventLine(ev: StoreEvent, matches: (r: StoredRecord) => boolean, enc: Encoder): string | undefined {
  switch (ev.type) {
    case 'ADDED':
      return matches(ev.record) ? enc.line('ADDED', ev.record) : undefined;
    case 'DELETED':
      return matches(ev.record) ? enc.line('DELETED', ev.record) : undefined;
    case 'MODIFIED': {
      const now = matches(ev.record);
      const before = ev.prev ? matches(ev.prev) : false;
      if (now && before) return enc.line('MODIFIED', ev.record);
      if (now) return enc.line('ADDED', ev.record);
      if (before) return enc.line('DELETED', ev.record);
      return undefined;
    }
  }
}
