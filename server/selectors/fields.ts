// Field selectors (?fieldSelector=): "a=b", "a==b", "a!=b", comma for AND, with \, \= and \\ escapes in values.
import type { KubeObject } from '../api/types.js';
import { badRequest } from '../api/errors.js';
import type { FieldGetter, ResourceDef } from '../registry/types.js';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

/** Getters every kind has; the kinds' own selectable fields come from their rows. */
const META_FIELDS: Record<string, FieldGetter> = {
  'metadata.name': (o) => o.metadata?.name,
  'metadata.namespace': (o) => o.metadata?.namespace,
};

export class FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  private readonly getters: Record<string, FieldGetter>;

  constructor(requirements: FieldRequirement[], getters: Record<string, FieldGetter>) {
    this.requirements = requirements;
    this.getters = getters;
  }

  /** A field the object does not have reads as "" (so `spec.nodeName=` selects unscheduled pods). */
  matches(obj: KubeObject): boolean {
    return this.requirements.every((r) => {
      const getter = this.getters[r.field];
      const actual = getter ? (getter(obj) ?? '') : '';
      return r.operator === '=' ? actual === r.value : actual !== r.value;
    });
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  /** The value `field` must equal for this selector to match (from a field=value term), if any. */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  /** When the selector pins metadata.name=X: X, so a list or watch can look up one object. */
  requiredName(): string | undefined {
    return this.requiresExactMatch('metadata.name');
  }

  /** When the selector pins metadata.namespace=X: X. */
  requiredNamespace(): string | undefined {
    return this.requiresExactMatch('metadata.namespace');
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** Escape a value for use in a field selector string. */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Split on commas that are not escaped; escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator in the term splits it; the left side is taken literally (no trimming, no escapes). */
function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
      continue;
    }
    if (c === '\\') escaped = true;
    // Go prints the offending rune with %v, i.e. as its code point number.
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (escaped) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

export interface FieldSelectorOptions {
  /**
   * Whether the kind registers its own field label conversion (as Pod, Node, Event, Namespace, Secret and Service
   * do): unknown fields are then "field label not supported: X". Kinds without one answer
   * `"X" is not a known field selector: only "metadata.name", "metadata.namespace"`.
   * Default: true when the kind has selectable fields of its own.
   */
  customConversion?: boolean;
  /**
   * For kinds with their own conversion: cluster-scoped ones (Node, Namespace) do not accept metadata.namespace.
   * Default true.
   */
  namespaced?: boolean;
}

function unsupported(field: string, custom: boolean): Error {
  return custom
    ? badRequest(`field label not supported: ${field}`)
    : badRequest(`${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
}

/**
 * Parse a field selector for a kind whose selectable fields (beyond metadata.name and metadata.namespace) are
 * `fields`. Throws a 400 BadRequest StatusError with Kubernetes' message for malformed selectors and unsupported
 * fields. `resourceDescription` (e.g. "pods") only labels the selector for diagnostics: Kubernetes' messages do not
 * name the resource.
 */
export function parseFieldSelector(
  s: string,
  fields: Record<string, FieldGetter>,
  resourceDescription: string,
  opts: FieldSelectorOptions = {},
): FieldSelector {
  void resourceDescription;
  const custom = opts.customConversion ?? Object.keys(fields).length > 0;
  const namespaced = opts.namespaced ?? true;
  // Terms are sorted before anything else, so the first bad term reported is the first in sorted order.
  const parts = splitTerms(s).sort();
  const parsed: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    parsed.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value: unescapeValue(t.rhs) });
  }
  const getters: Record<string, FieldGetter> = { ...META_FIELDS, ...fields };
  for (const r of parsed) {
    const allowed =
      Object.prototype.hasOwnProperty.call(fields, r.field) ||
      r.field === 'metadata.name' ||
      (r.field === 'metadata.namespace' && (namespaced || !custom));
    if (!allowed) throw unsupported(r.field, custom);
  }
  return new FieldSelector(parsed, getters);
}

/** parseFieldSelector with everything taken from the resource's row. */
export function fieldSelectorFor(def: ResourceDef, s: string): FieldSelector {
  return parseFieldSelector(s, def.fieldSelectors, def.group ? `${def.plural}.${def.group}` : def.plural, {
    namespaced: def.namespaced,
  });
}
