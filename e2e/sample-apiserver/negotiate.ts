// Accept-header negotiation: plain JSON, meta.k8s.io Table / PartialObjectMetadata, or aggregated discovery.

export interface AcceptClause {
  type: string;
  subtype: string;
  q: number;
  params: Record<string, string>;
}

/** Clauses best first (q descending, specific before wildcards, then header order); q=0 and malformed ones dropped. */
export function parseAccept(header: string | undefined): AcceptClause[] {
  if (header === undefined) return [];
  const out: AcceptClause[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...rawParams] = part.split(';');
    const media = range.trim().toLowerCase();
    if (media === '') continue;
    const [type, subtype] = media === '*' ? ['*', '*'] : media.split('/');
    if (!type || !subtype || media.split('/').length > 2) continue;
    let q = 1;
    const params: Record<string, string> = {};
    for (const raw of rawParams) {
      const eq = raw.indexOf('=');
      if (eq < 0) continue;
      const name = raw.slice(0, eq).trim().toLowerCase();
      let value = raw.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (name === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      } else if (name !== '') {
        params[name] = value;
      }
    }
    if (q <= 0) continue;
    out.push({ type: type.trim(), subtype: subtype.trim(), q, params });
  }
  const specificity = (c: AcceptClause): number => (c.type === '*' ? 0 : 2) + (c.subtype === '*' ? 0 : 1);
  return out.sort((a, b) => b.q - a.q || specificity(b) - specificity(a));
}

function isJson(c: AcceptClause): boolean {
  return (c.type === 'application' && (c.subtype === 'json' || c.subtype === '*')) || (c.type === '*' && c.subtype === '*');
}

export type OutputForm =
  | { form: 'object' }
  | { form: 'table'; version: 'v1' | 'v1beta1' }
  | { form: 'partial'; version: 'v1' | 'v1beta1' }
  | { form: 'not-acceptable' };

/**
 * What a resource request's response should be. `list` says whether a list is being asked for (PartialObjectMetadata
 * vs PartialObjectMetadataList). An absent or empty Accept header means plain JSON.
 */
export function negotiateOutput(accept: string | undefined, list: boolean): OutputForm {
  if (accept === undefined || accept.trim() === '') return { form: 'object' };
  for (const c of parseAccept(accept)) {
    if (!isJson(c)) continue;
    const as = c.params['as'];
    const g = c.params['g'];
    const v = c.params['v'];
    if (as === undefined && g === undefined && v === undefined) return { form: 'object' };
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'Table') return { form: 'table', version: v };
    if (as === (list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata')) return { form: 'partial', version: v };
  }
  return { form: 'not-acceptable' };
}

export type DiscoveryForm = { form: 'aggregated'; version: 'v2' | 'v2beta1' } | { form: 'legacy' };

/** `/apis`: the first JSON clause asking for APIGroupDiscoveryList v2/v2beta1 wins; anything else gets the legacy list. */
export function negotiateDiscovery(accept: string | undefined): DiscoveryForm {
  for (const c of parseAccept(accept)) {
    if (!isJson(c)) continue;
    const p = c.params;
    if (p['g'] === 'apidiscovery.k8s.io' && p['as'] === 'APIGroupDiscoveryList' && (p['v'] === 'v2' || p['v'] === 'v2beta1')) {
      return { form: 'aggregated', version: p['v'] };
    }
    if (p['as'] === undefined && p['g'] === undefined && p['v'] === undefined) return { form: 'legacy' };
  }
  return { form: 'legacy' };
}
