// Content negotiation for resource responses: plain JSON, Table, or PartialObjectMetadata.
import { notAcceptable } from '../api/errors.js';

export type OutputForm = 'object' | 'table' | 'partial';

export interface OutputChoice {
  form: OutputForm;
  /** For tables: what each row carries (None, Metadata, Object). */
  includeObject: 'None' | 'Metadata' | 'Object';
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
}

/** Parses an Accept header into media ranges, best first. */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [typeRaw, ...paramParts] = part.split(';');
    const type = (typeRaw ?? '').trim().toLowerCase();
    if (!type) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      const v = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (k === 'q') q = Number(v) || 0;
      else params[k] = v;
    }
    if (q > 0) out.push({ type, params, q });
  }
  return out.sort((a, b) => b.q - a.q);
}

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*']);

/** Picks the response form for a resource request; 406 when nothing offered can be served. */
export function chooseOutput(accept: string | undefined, includeObjectParam: string | null, isList: boolean): OutputChoice {
  const includeObject = parseIncludeObject(includeObjectParam);
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { form: 'object', includeObject };
  for (const r of ranges) {
    if (!JSON_TYPES.has(r.type)) continue;
    const as = r.params['as'];
    if (!as) return { form: 'object', includeObject };
    const g = r.params['g'];
    const v = r.params['v'];
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'Table') return { form: 'table', includeObject };
    if (as === 'PartialObjectMetadata' && !isList) return { form: 'partial', includeObject };
    if (as === 'PartialObjectMetadataList' && isList) return { form: 'partial', includeObject };
  }
  throw notAcceptable('only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io');
}

function parseIncludeObject(v: string | null): OutputChoice['includeObject'] {
  if (v === null || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw notAcceptable(`includeObject must be one of None, Metadata, Object; got "${v}"`);
}
