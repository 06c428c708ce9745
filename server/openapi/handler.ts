// Serves kage's OpenAPI: /openapi/v2 and /openapi/v3 (index and group version documents), as plain Node
// request handling. Documents are built once, on first use (their code is even loaded then), never at
// startup. The handler is also the aggregator's OpenAPIV3LocalSource, so kage's own documents and extension
// API servers' share one index.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenAPIV3LocalSource } from '../../aggregator/openapi-aggregator.js';
import { methodNotAllowed, notAcceptable, StatusError } from '../api/errors.js';
import { sendError } from '../http/respond.js';
import { parseAccept } from '../http/accept.js';
import type { Registry } from '../registry/registry.js';
// Only types from the document builders: their code (and the schema model under it) is loaded on first use,
// so kage's startup does not pay for it.
import type { BuiltDocuments, DocumentOptions } from './documents.js';
import type { JsonObject } from './emit.js';

export const OPENAPI_V2_PATH = '/openapi/v2';
export const OPENAPI_V3_PREFIX = '/openapi/v3';

/** What kubectl and client-go ask /openapi/v2 for: gnostic's openapi.v2.Document. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** The same, as clients before Kubernetes 1.14 spelled it. */
export const OPENAPI_V2_PROTOBUF_LEGACY = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
export const OPENAPI_V3_PROTOBUF = 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf';

export interface OpenAPIHandlerOptions extends DocumentOptions {
  registry: Pick<Registry, 'all'>;
  /** The clock, for Last-Modified and Expires (tests). */
  now?: () => Date;
}

export interface OpenAPIHandler extends OpenAPIV3LocalSource {
  /**
   * Answers GET/HEAD /openapi/v2, /openapi/v3 and /openapi/v3/<path> by itself (no aggregator in front):
   * true, or a promise of true while the documents are first built; false, untouched, for any other path.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean>;
  /**
   * For a chain where the aggregator answers /openapi/v3: answers /openapi/v2 (which the aggregator does not
   * serve); on any /openapi/v3 request first builds the documents if needed (so paths() lists them, and the
   * aggregator's index with them) and then says false; false for anything else.
   */
  handleV2(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean>;
  /** Index path and serverRelativeURL of every /openapi/v3 document (builds the documents). */
  v3Paths(): Promise<Array<{ path: string; url: string }>>;
  /** JSON text of the /openapi/v3 document at an index path ("api/v1", "apis/apps/v1"), or "v2" for /openapi/v2. */
  document(path: string): Promise<string | undefined>;
  /** /openapi/v2 as protobuf (gnostic openapi.v2.Document), built on first use. */
  v2Protobuf(): Promise<Buffer>;
  /** Builds the documents now, if they are not yet; tells onChange listeners. */
  warm(): Promise<void>;
  /** Index path → hash. Never builds (the aggregator asks at startup): empty until the documents exist. */
  paths(): ReadonlyMap<string, string>;
  /** Answers GET/HEAD /openapi/v3/<path> for an index path; 404 Status for an unknown one. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): void | Promise<void>;
  onChange(listener: () => void): () => void;
}

const NOT_FOUND = new StatusError({
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
  message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404,
});

/** Go's time.RFC1123 of a UTC time ("Sun, 21 Nov 2027 03:40:05 UTC"): how kube-apiserver writes Expires. */
export function oneYearLater(now: Date): string {
  const d = new Date(now.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toUTCString().replace(/GMT$/, 'UTC');
}

/** The form of /openapi/v2 an Accept header asks for, in the client's order of preference; undefined: none. */
export function negotiateV2(accept: string | undefined): 'json' | 'protobuf' | undefined {
  if (!accept || accept.trim() === '') return 'json';
  for (const r of parseAccept(accept)) {
    if (r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*') return 'json';
    if (r.type === OPENAPI_V2_PROTOBUF || r.type === OPENAPI_V2_PROTOBUF_LEGACY) return 'protobuf';
  }
  return undefined;
}

/** Whether a response in JSON is acceptable (no Accept header counts as anything). */
export function acceptsJson(accept: string | undefined): boolean {
  if (!accept || accept.trim() === '') return true;
  return parseAccept(accept).some((r) => r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*');
}

/** Whether If-None-Match names the entity tag (quoted, weak or *). */
export function ifNoneMatch(header: string | string[] | undefined, hash: string): boolean {
  const h = Array.isArray(header) ? header.join(',') : header;
  if (!h) return false;
  return h.split(',').some((t) => {
    const s = t.trim();
    return s === '*' || s === `"${hash}"` || s === `W/"${hash}"`;
  });
}

function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** Everything served, once built. */
interface State {
  docs: BuiltDocuments;
  lastModified: string;
  indexText: string;
  encodeV2: (doc: JsonObject) => Buffer;
  protobuf?: { bytes: Buffer; hash: string };
}

function send(req: IncomingMessage, res: ServerResponse, code: number, headers: Record<string, string>, body?: string | Buffer): void {
  res.statusCode = code;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}

function methodOk(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  sendError(res, methodNotAllowed('the server does not allow this method on the requested resource'));
  return false;
}

function protobufV2(s: State): { bytes: Buffer; hash: string } {
  if (!s.protobuf) {
    const bytes = s.encodeV2(JSON.parse(s.docs.v2.text) as JsonObject);
    s.protobuf = { bytes, hash: createHash('sha512').update(bytes).digest('hex').toUpperCase() };
  }
  return s.protobuf;
}

function serveV2(s: State, req: IncomingMessage, res: ServerResponse): void {
  if (!methodOk(req, res)) return;
  const form = negotiateV2(req.headers.accept);
  if (!form) {
    sendError(res, notAcceptable(`only the following media types are accepted: application/json, ${OPENAPI_V2_PROTOBUF}`));
    return;
  }
  const d = form === 'json' ? s.docs.v2 : protobufV2(s);
  const headers: Record<string, string> = {
    'Cache-Control': 'no-cache, private',
    // kube-apiserver answers protobuf with the older spelling: Go's mime parser refuses the '@' one.
    'Content-Type': form === 'json' ? 'application/json' : OPENAPI_V2_PROTOBUF_LEGACY,
    ETag: `"${d.hash}"`,
    'Last-Modified': s.lastModified,
    Vary: 'Accept',
  };
  if (ifNoneMatch(req.headers['if-none-match'], d.hash)) {
    delete headers['Content-Type'];
    send(req, res, 304, headers);
    return;
  }
  send(req, res, 200, headers, 'text' in d ? d.text : d.bytes);
}

function serveIndex(s: State, req: IncomingMessage, res: ServerResponse): void {
  if (!methodOk(req, res)) return;
  // As kube-apiserver answers it (http.ServeContent sniffs the type of the index).
  send(req, res, 200, { 'Cache-Control': 'no-cache, private', 'Content-Type': 'text/plain; charset=utf-8', 'Last-Modified': s.lastModified }, s.indexText);
}

function serveV3(s: State, now: () => Date, req: IncomingMessage, res: ServerResponse, path: string): void {
  if (!methodOk(req, res)) return;
  const d = s.docs.v3.get(path);
  if (!d) {
    sendError(res, NOT_FOUND);
    return;
  }
  if (!acceptsJson(req.headers.accept)) {
    sendError(res, notAcceptable('only the following media types are accepted: application/json'));
    return;
  }
  const hash = new URLSearchParams(splitUrl(req.url ?? '').query).get('hash');
  if (hash && hash !== d.hash) {
    // A stale hash: send the client to the current document, as kube-apiserver does.
    const location = `${OPENAPI_V3_PREFIX}/${path}?hash=${d.hash}`;
    send(req, res, 301, { 'Cache-Control': 'no-cache, private', Location: location, 'Content-Type': 'text/html; charset=utf-8' },
      `<a href="${location}">Moved Permanently</a>.\n\n`);
    return;
  }
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    ETag: `"${d.hash}"`,
    'Last-Modified': s.lastModified,
    Vary: 'Accept',
  };
  if (hash) {
    headers['Cache-Control'] = 'public, immutable';
    headers['Expires'] = oneYearLater(now());
  } else {
    headers['Cache-Control'] = 'no-cache, private';
  }
  if (ifNoneMatch(req.headers['if-none-match'], d.hash)) {
    delete headers['Content-Type'];
    send(req, res, 304, headers);
    return;
  }
  send(req, res, 200, headers, d.text);
}

/** Creates the handler; nothing is loaded or built until a document is asked for. */
export function createOpenAPIHandler(opts: OpenAPIHandlerOptions): OpenAPIHandler {
  const now = opts.now ?? (() => new Date());
  const listeners = new Set<() => void>();
  let state: State | undefined;
  let loading: Promise<State> | undefined;
  let hashes: ReadonlyMap<string, string> = new Map();

  const load = (): Promise<State> => {
    if (state) return Promise.resolve(state);
    loading ??= Promise.all([import('./documents.js'), import('./protobuf-v2.js')]).then(
      ([documents, protobuf]) => {
        if (state) return state;
        const docs = documents.buildDocuments(opts.registry.all(), opts.version !== undefined ? { version: opts.version } : {});
        state = {
          docs,
          lastModified: now().toUTCString(),
          indexText: JSON.stringify(documents.openAPIV3Index(docs.v3)),
          encodeV2: protobuf.encodeOpenAPIV2,
        };
        hashes = new Map([...docs.v3].map(([path, d]) => [path, d.hash]));
        for (const l of listeners) {
          try {
            l();
          } catch {
            // A listener's failure is its own business.
          }
        }
        return state;
      },
      (err: unknown) => {
        loading = undefined;
        throw err;
      },
    );
    return loading;
  };

  /** Runs `serve` at once when the documents exist, else once they do; a failed build answers 500. */
  const withState = (res: ServerResponse, serve: (s: State) => void): true | Promise<true> => {
    if (state) {
      serve(state);
      return true;
    }
    return load().then(
      (s) => {
        serve(s);
        return true as const;
      },
      (err: unknown) => {
        sendError(res, err);
        return true as const;
      },
    );
  };

  return {
    handle(req, res) {
      const { path } = splitUrl(req.url ?? '/');
      if (path === OPENAPI_V2_PATH) return withState(res, (s) => serveV2(s, req, res));
      if (path === OPENAPI_V3_PREFIX || path === `${OPENAPI_V3_PREFIX}/`) return withState(res, (s) => serveIndex(s, req, res));
      if (path.startsWith(`${OPENAPI_V3_PREFIX}/`)) {
        const key = path.slice(OPENAPI_V3_PREFIX.length + 1);
        return withState(res, (s) => serveV3(s, now, req, res, key));
      }
      return false;
    },
    handleV2(req, res) {
      const { path } = splitUrl(req.url ?? '/');
      if (path === OPENAPI_V2_PATH) return withState(res, (s) => serveV2(s, req, res));
      if (!state && (path === OPENAPI_V3_PREFIX || path.startsWith(`${OPENAPI_V3_PREFIX}/`))) {
        // The aggregator answers; with kage's documents in its index once they are built.
        return load().then(() => false, () => false);
      }
      return false;
    },
    async v3Paths() {
      const s = await load();
      return [...s.docs.v3].map(([path, d]) => ({ path, url: `${OPENAPI_V3_PREFIX}/${path}?hash=${d.hash}` }));
    },
    async document(path) {
      const s = await load();
      return path === 'v2' ? s.docs.v2.text : s.docs.v3.get(path)?.text;
    },
    async v2Protobuf() {
      return protobufV2(await load()).bytes;
    },
    async warm() {
      await load();
    },
    paths() {
      return hashes;
    },
    serve(req, res, path) {
      const r = withState(res, (s) => serveV3(s, now, req, res, path));
      return r === true ? undefined : r.then(() => undefined);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
