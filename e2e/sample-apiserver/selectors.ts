// Label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors (metadata.name, metadata.namespace).
import { badRequest } from './status.js';
import type { Flunder } from './types.js';

type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type Matcher = (obj: Flunder) => boolean;

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key) || key.length > 316) throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw badRequest(`unable to parse requirement: invalid label value: "${value}" in selector "${selector}"`);
  }
  return value;
}

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}

function parseLabelSelector(selector: string): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  if (selector.trim() === '') return reqs;
  for (const rawPart of splitTop(selector)) {
    const part = rawPart.trim();
    if (part === '') throw badRequest(`unable to parse requirement: found '', expected: identifier in selector "${selector}"`);
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part))) {
      const values = m[3]!.split(',').map((v) => checkValue(v.trim(), selector));
      reqs.push({ op: m[2] as 'in' | 'notin', key: checkKey(m[1]!, selector), values });
    } else if ((m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(part))) {
      reqs.push({ op: m[2] === '!=' ? 'neq' : 'eq', key: checkKey(m[1]!, selector), value: checkValue(m[3]!, selector) });
    } else if ((m = /^!\s*([^\s!=(),]+)$/.exec(part))) {
      reqs.push({ op: 'notexists', key: checkKey(m[1]!, selector) });
    } else if ((m = /^([^\s!=(),]+)$/.exec(part))) {
      reqs.push({ op: 'exists', key: checkKey(m[1]!, selector) });
    } else {
      throw badRequest(`unable to parse requirement: invalid selector "${selector}"`);
    }
  }
  return reqs;
}

function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string>): boolean {
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels[r.key] : undefined;
    switch (r.op) {
      case 'eq':
        if (v !== r.value) return false;
        break;
      case 'neq':
        if (v === r.value) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
    }
  }
  return true;
}

const FIELDS: Record<string, (o: Flunder) => string> = {
  'metadata.name': (o) => o.metadata.name ?? '',
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};

interface FieldRequirement {
  field: string;
  value: string;
  equal: boolean;
}

function unescapeFieldValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

function parseFieldSelector(selector: string): FieldRequirement[] {
  const reqs: FieldRequirement[] = [];
  if (selector.trim() === '') return reqs;
  for (const rawPart of selector.split(/(?<!\\),/)) {
    const part = rawPart.trim();
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const field = m[1]!;
    if (!(field in FIELDS)) {
      throw badRequest(`"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    reqs.push({ field, value: unescapeFieldValue(m[3]!), equal: m[2] !== '!=' });
  }
  return reqs;
}

/** A matcher for ?labelSelector= and ?fieldSelector= (400 BadRequest when either does not parse). */
export function selectorMatcher(labelSelector: string | undefined, fieldSelector: string | undefined): { match: Matcher; empty: boolean } {
  const labels = parseLabelSelector(labelSelector ?? '');
  const fields = parseFieldSelector(fieldSelector ?? '');
  return {
    empty: labels.length === 0 && fields.length === 0,
    match: (obj) =>
      matchesLabels(labels, obj.metadata.labels ?? {}) && fields.every((f) => (FIELDS[f.field]!(obj) === f.value) === f.equal),
  };
}
