// Answers the discovery endpoints (/api, /apis, /api/v1, /apis/<group>, /apis/<group>/<version>) with the
// legacy or aggregated documents, as plain Node request handling so it can sit in front of anything.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { notAcceptable } from '../api/errors.js';
import type { Status } from '../api/types.js';
import type { Registry } from '../registry/registry.js';
import { aggregatedDiscovery, aggregatedETag } from './aggregated.js';
import { goJson } from './encode.js';
import { groupsFromRegistry, mergeGroups, orderDiscoveryGroups } from './groups.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './legacy.js';
import { negotiateDiscovery, type NegotiatedDiscovery } from './negotiate.js';
import type { AggregatedDiscoveryVersion, DiscoveryGroup } from './types.js';

export interface DiscoveryHandlerOptions {
  registry: Registry;
  /** host:port clients should use, for /api's serverAddressByClientCIDRs; asked on every /api request. */
  serverAddress: () => string;
  /**
   * Groups served elsewhere (the aggregator's APIServices), merged into /apis, /apis/<group> and the
   * aggregated /apis document. A group version listed here takes over a built-in one of the same name, and
   * its /apis/<group>/<version> is left to whoever serves it. Read when documents are (re)built: call
   * invalidate() whenever what it returns changes.
   */
  extraGroups?: () => DiscoveryGroup[];
}

export interface DiscoveryHandler {
  /** Answers a discovery request and returns true, or returns false (untouched) for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Drops every cached document; the next request rebuilds them. */
  invalidate(): void;
}

export const METHOD_NOT_ALLOWED_MESSAGE = 'the server does not allow this method on the requested resource';

/** A document with its JSON text built on first use, compact and pretty. */
class Doc {
  private compact?: string;
  private indented?: string;
  constructor(readonly value: unknown) {}
  text(pretty: boolean): string {
    if (pretty) return (this.indented ??= goJson(this.value, true));
    return (this.compact ??= goJson(this.value));
  }
}

interface AggregatedDocs {
  /** Unquoted; the same for both versions. */
  etag: string;
  byVersion: Record<AggregatedDiscoveryVersion, Doc>;
}

interface State {
  /** Every group (core included), merged and ordered. */
  groups: DiscoveryGroup[];
  byName: Map<string, DiscoveryGroup>;
  /** "group/version" of every version that came from extraGroups. */
  external: Set<string>;
  docs: Map<string, Doc>;
  aggregated: Map<'api' | 'apis', AggregatedDocs>;
}

type Endpoint =
  | { kind: 'api' }
  | { kind: 'apis' }
  | { kind: 'group'; group: DiscoveryGroup }
  | { kind: 'resources'; group: string; version: string };

function isPretty(req: IncomingMessage, query: string): boolean {
  // Like kube-apiserver: ?pretty=<bool> decides when given, else "human" user agents get indented JSON.
  if (query.includes('pretty')) {
    const value = new URLSearchParams(query).get('pretty');
    if (value) return ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value);
  }
  const ua = req.headers['user-agent'] ?? '';
  return ua.startsWith('curl') || ua.startsWith('Wget') || ua.startsWith('Mozilla/5.0');
}

function ifNoneMatches(req: IncomingMessage, quotedEtag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === quotedEtag || tag === `W/${quotedEtag}`;
  });
}

function send(req: IncomingMessage, res: ServerResponse, code: number, body: string, headers: Record<string, string>): void {
  res.statusCode = code;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendStatus(req: IncomingMessage, res: ServerResponse, status: Status, pretty: boolean): void {
  send(req, res, status.code, goJson(status, pretty), { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
}

export function createDiscoveryHandler(opts: DiscoveryHandlerOptions): DiscoveryHandler {
  let state: State | undefined;

  function build(): State {
    const builtin = groupsFromRegistry(opts.registry);
    const extra = (opts.extraGroups?.() ?? []).filter((g) => g.name !== '');
    const external = new Set<string>();
    for (const g of extra) for (const v of g.versions) external.add(`${g.name}/${v.version}`);
    const groups = orderDiscoveryGroups(mergeGroups(builtin, extra));
    return { groups, byName: new Map(groups.map((g) => [g.name, g])), external, docs: new Map(), aggregated: new Map() };
  }

  function current(): State {
    return (state ??= build());
  }

  function doc(key: string, make: () => unknown): Doc {
    const s = current();
    let d = s.docs.get(key);
    if (!d) {
      d = new Doc(make());
      s.docs.set(key, d);
    }
    return d;
  }

  function aggregatedDocs(scope: 'api' | 'apis'): AggregatedDocs {
    const s = current();
    let a = s.aggregated.get(scope);
    if (!a) {
      const groups = s.groups.filter((g) => (scope === 'api' ? g.name === '' : g.name !== ''));
      const v2 = aggregatedDiscovery(groups, 'v2');
      a = { etag: aggregatedETag(v2), byVersion: { v2: new Doc(v2), v2beta1: new Doc(aggregatedDiscovery(groups, 'v2beta1')) } };
      s.aggregated.set(scope, a);
    }
    return a;
  }

  function route(path: string): Endpoint | undefined {
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const segs = trimmed.split('/');
    if (segs[0] !== '' || segs.some((s, i) => i > 0 && s === '')) return undefined;
    const [, root, a, b] = segs;
    if (root === 'api') {
      if (segs.length === 2) return { kind: 'api' };
      if (segs.length === 3 && opts.registry.hasGroupVersion('', a!)) return { kind: 'resources', group: '', version: a! };
      return undefined;
    }
    if (root !== 'apis') return undefined;
    if (segs.length === 2) return { kind: 'apis' };
    const s = current();
    if (segs.length === 3) {
      const group = s.byName.get(a!);
      return group && group.name !== '' ? { kind: 'group', group } : undefined;
    }
    if (segs.length === 4 && !s.external.has(`${a}/${b}`) && opts.registry.hasGroupVersion(a!, b!)) {
      return { kind: 'resources', group: a!, version: b! };
    }
    return undefined;
  }

  function legacyDoc(endpoint: Endpoint): Doc {
    switch (endpoint.kind) {
      case 'api': {
        // Tiny, and the address may differ per request: built every time rather than cached.
        const core = current().byName.get('');
        return new Doc(apiVersions(opts.serverAddress(), core ? core.versions.map((v) => v.version) : ['v1']));
      }
      case 'apis':
        return doc('apis', () => apiGroupList(current().groups));
      case 'group':
        return doc(`apis/${endpoint.group.name}`, () => apiGroup(endpoint.group));
      case 'resources':
        return doc(`${endpoint.group}/${endpoint.version}`, () => apiResourceList(opts.registry, endpoint.group, endpoint.version));
    }
  }

  function answer(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, query: string): void {
    const negotiated: NegotiatedDiscovery = negotiateDiscovery(req.headers.accept, {
      aggregated: endpoint.kind === 'api' || endpoint.kind === 'apis',
    });
    if (negotiated.kind === 'not-acceptable') {
      sendStatus(req, res, notAcceptable(negotiated.message).status, isPretty(req, query));
      return;
    }
    const pretty = negotiated.pretty || isPretty(req, query);
    if (negotiated.kind === 'aggregated' && (endpoint.kind === 'api' || endpoint.kind === 'apis')) {
      const docs = aggregatedDocs(endpoint.kind);
      const quoted = `"${docs.etag}"`;
      const cacheHeaders = { ETag: quoted, Vary: 'Accept', 'Cache-Control': 'public' };
      if (ifNoneMatches(req, quoted)) {
        res.statusCode = 304;
        for (const [k, v] of Object.entries(cacheHeaders)) res.setHeader(k, v);
        res.end();
        return;
      }
      send(req, res, 200, docs.byVersion[negotiated.version].text(pretty), { 'Content-Type': negotiated.contentType, ...cacheHeaders });
      return;
    }
    send(req, res, 200, legacyDoc(endpoint).text(pretty), { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  }

  return {
    handle(req, res) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const query = q < 0 ? '' : url.slice(q + 1);
      const endpoint = route(path);
      if (!endpoint) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const status: Status = {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: METHOD_NOT_ALLOWED_MESSAGE,
          reason: 'MethodNotAllowed',
          details: {},
          code: 405,
        };
        sendStatus(req, res, status, isPretty(req, query));
        return true;
      }
      answer(req, res, endpoint, query);
      return true;
    },
    invalidate() {
      state = undefined;
    },
  };
}
