// Accept-header negotiation for discovery: aggregated (apidiscovery.k8s.io v2 / v2beta1) or legacy JSON, or
// nothing kage can produce (the caller answers 406). kage writes JSON only; protobuf, YAML and CBOR clauses
// are passed over like any other type it cannot produce.

/** One clause of an Accept header. Type, subtype and parameter names are lowercased. */
export interface AcceptClause {
  type: string;
  subtype: string;
  q: number;
  params: Record<string, string>;
}

/** The media types kage can write, as listed in 406 messages. */
export const SUPPORTED_MEDIA_TYPES: readonly string[] = ['application/json'];

export const AGGREGATED_DISCOVERY_GROUP = 'apidiscovery.k8s.io';
export const AGGREGATED_DISCOVERY_KIND = 'APIGroupDiscoveryList';

export type NegotiatedDiscovery =
  | { kind: 'aggregated'; version: 'v2' | 'v2beta1'; contentType: string; pretty: boolean }
  | { kind: 'legacy'; contentType: 'application/json'; pretty: boolean }
  | { kind: 'not-acceptable'; message: string };

/** The exact Content-Type of an aggregated discovery response. */
export function aggregatedContentType(version: 'v2' | 'v2beta1'): string {
  return `application/json;g=${AGGREGATED_DISCOVERY_GROUP};v=${version};as=${AGGREGATED_DISCOVERY_KIND}`;
}

/** The Status message of a 406 NotAcceptable, worded as kube-apiserver words it. */
export function notAcceptableMessage(): string {
  return `only the following media types are accepted: ${SUPPORTED_MEDIA_TYPES.join(', ')}`;
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

function specificity(c: AcceptClause): number {
  return (c.type === '*' ? 0 : 2) + (c.subtype === '*' ? 0 : 1);
}

/**
 * Parses an Accept header into clauses, best first: by q-value (descending), then more specific media
 * ranges before wildcards, otherwise in header order. Malformed clauses are skipped, "*" means "*\/*", and a
 * clause with q=0 ("not acceptable", RFC 9110) is dropped.
 */
export function parseAccept(header: string): AcceptClause[] {
  const clauses: AcceptClause[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...rawParams] = part.split(';');
    const mediaRange = range.trim().toLowerCase();
    let type: string;
    let subtype: string;
    if (mediaRange === '*') {
      type = '*';
      subtype = '*';
    } else {
      const pieces = mediaRange.split('/');
      if (pieces.length !== 2) continue;
      type = pieces[0]!.trim();
      subtype = pieces[1]!.trim();
      if (!type || !subtype) continue;
    }
    let q = 1;
    const params: Record<string, string> = {};
    for (const raw of rawParams) {
      const kv = raw.split('=');
      if (kv.length !== 2) continue;
      const name = kv[0]!.trim().toLowerCase();
      const value = unquote(kv[1]!.trim());
      if (!name) continue;
      if (name === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      } else {
        params[name] = value;
      }
    }
    if (q <= 0) continue;
    clauses.push({ type, subtype, q, params });
  }
  // Array.prototype.sort is stable: equal clauses keep their header order.
  return clauses.sort((a, b) => b.q - a.q || specificity(b) - specificity(a));
}

function matchesJson(c: AcceptClause): boolean {
  return (c.type === 'application' && (c.subtype === 'json' || c.subtype === '*')) || (c.type === '*' && c.subtype === '*');
}

interface ClauseOptions {
  /** A requested transformation (g/v/as given): undefined when none. */
  convert?: { group: string; version: string; kind: string };
  pretty: boolean;
  /** False when a parameter asks for something JSON output cannot do (sv=..., a stream other than watch). */
  usable: boolean;
}

function clauseOptions(c: AcceptClause): ClauseOptions {
  const p = c.params;
  const hasConvert = 'g' in p || 'v' in p || 'as' in p;
  const usable = !(p['sv'] ?? '') && (!(p['stream'] ?? '') || p['stream'] === 'watch');
  return {
    convert: hasConvert ? { group: p['g'] ?? '', version: p['v'] ?? '', kind: p['as'] ?? '' } : undefined,
    pretty: p['pretty'] === '1',
    usable,
  };
}

function aggregatedVersion(convert: ClauseOptions['convert']): 'v2' | 'v2beta1' | undefined {
  if (!convert || convert.group !== AGGREGATED_DISCOVERY_GROUP || convert.kind !== AGGREGATED_DISCOVERY_KIND) return undefined;
  return convert.version === 'v2' || convert.version === 'v2beta1' ? convert.version : undefined;
}

/**
 * Decides what a discovery request gets. With `aggregated` (the /api and /apis endpoints), the first clause
 * asking for APIGroupDiscoveryList (v2 or v2beta1) as JSON wins; failing that, and on every other discovery
 * endpoint, the first JSON clause without a transformation gets the legacy document. An absent or empty
 * header means legacy JSON. Otherwise the request is not acceptable.
 */
export function negotiateDiscovery(accept: string | undefined, opts: { aggregated: boolean }): NegotiatedDiscovery {
  if (accept === undefined || accept.trim() === '') return { kind: 'legacy', contentType: 'application/json', pretty: false };
  const clauses = parseAccept(accept).filter(matchesJson);
  if (opts.aggregated) {
    for (const c of clauses) {
      const o = clauseOptions(c);
      const version = aggregatedVersion(o.convert);
      if (o.usable && version) return { kind: 'aggregated', version, contentType: aggregatedContentType(version), pretty: o.pretty };
    }
  }
  for (const c of clauses) {
    const o = clauseOptions(c);
    if (o.usable && !o.convert) return { kind: 'legacy', contentType: 'application/json', pretty: o.pretty };
  }
  return { kind: 'not-acceptable', message: notAcceptableMessage() };
}
