// Label selectors: the string syntax of ?labelSelector= and the {matchLabels, matchExpressions} objects of specs.
import type { StatusCause } from '../api/types.js';
import { badRequest } from '../api/errors.js';
import { isQualifiedName, isValidLabelValue, validateLabels } from '../registry/names.js';
import { forbidden, goQuote, goStringSlice, invalid, path, required } from '../registry/resources/fielderrors.js';

/** Operators as Kubernetes names them: '!' is "does not exist", 'gt'/'lt' compare integers. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted, without duplicates for in/notin; one value for the exact and gt/lt operators; empty otherwise. */
  readonly values: readonly string[];
}

export type Labels = Record<string, string> | undefined | null;

function has(labels: Labels, k: string): boolean {
  return labels != null && Object.prototype.hasOwnProperty.call(labels, k);
}

const INT64_RE = /^[+-]?[0-9]+$/;

function parseInt64(s: string): bigint | undefined {
  if (!INT64_RE.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return n;
}

function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has(labels, r.key) && r.values.includes(labels![r.key]!);
    case 'notin':
    case '!=':
      return !has(labels, r.key) || !r.values.includes(labels![r.key]!);
    case 'exists':
      return has(labels, r.key);
    case '!':
      return !has(labels, r.key);
    case 'gt':
    case 'lt': {
      if (!has(labels, r.key) || r.values.length !== 1) return false;
      const actual = parseInt64(labels![r.key]!);
      const bound = parseInt64(r.values[0]!);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  switch (r.operator) {
    case '!':
      return `!${r.key}`;
    case 'exists':
      return r.key;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${[...r.values].sort().join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt':
      return `${r.key}<${r.values[0] ?? ''}`;
    default:
      return `${r.key}${r.operator}${r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',')}`;
  }
}

/** A parsed label selector: all requirements must match (AND). */
export class LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  /** True for the selector that matches nothing (a nil metav1.LabelSelector). */
  private readonly nothing: boolean;

  constructor(requirements: LabelRequirement[], nothing = false) {
    // Kubernetes keeps requirements sorted by key so that String() is deterministic.
    this.requirements = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.nothing = nothing;
  }

  matches(labels: Labels): boolean {
    if (this.nothing) return false;
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  /** True when the selector does not restrict anything. */
  empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  /** True for the selector that matches no object. */
  matchesNothing(): boolean {
    return this.nothing;
  }

  /** The value a label must have for this selector to match (key=v, key==v or key in (v)), if any. */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (!r) return undefined;
    if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
    return undefined;
  }

  /** Canonical form, as Kubernetes prints selectors ("app=web,tier in (a,b)"). */
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

export const everything = (): LabelSelector => new LabelSelector([]);
export const nothing = (): LabelSelector => new LabelSelector([], true);

// ---------------------------------------------------------------------------------------------------------------
// Validation of one requirement, with the field paths and messages NewRequirement reports.

const quote = goQuote;

/** The error list of NewRequirement, aggregated into one message like Go's errors.Aggregate. */
function requirementErrors(key: string, op: LabelOperator, values: string[]): string | undefined {
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(`key: Invalid value: ${quote(key)}: ${keyErrs.join('; ')}`);
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(`values: Invalid value: ${goStringSlice(values).go}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(`values: Invalid value: ${goStringSlice(values).go}: exact-match compatibility requires one single value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(`values: Invalid value: ${goStringSlice(values).go}: values set must be empty for exists and does not exist`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(`values: Invalid value: ${goStringSlice(values).go}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(`values[${i}]: Invalid value: ${quote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
        }
      });
      break;
  }
  values.forEach((v, i) => {
    const valErrs = isValidLabelValue(v);
    if (valErrs.length) errs.push(`values[${i}][${key}]: Invalid value: ${quote(v)}: ${valErrs.join('; ')}`);
  });
  const unique = [...new Set(errs)];
  if (unique.length === 0) return undefined;
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------------------------
// The string syntax: a small lexer and a recursive-descent parser.

type Tok =
  | 'end'
  | 'closePar'
  | 'comma'
  | 'not' // '!'
  | 'doubleEquals'
  | 'equals'
  | 'gt'
  | 'ident'
  | 'in'
  | 'lt'
  | 'notEquals'
  | 'notin'
  | 'openPar';

interface Item {
  tok: Tok;
  lit: string;
}

const SYMBOLS: Record<string, Tok> = {
  ')': 'closePar',
  ',': 'comma',
  '!': 'not',
  '==': 'doubleEquals',
  '=': 'equals',
  '>': 'gt',
  '<': 'lt',
  '!=': 'notEquals',
  '(': 'openPar',
};

const KEYWORDS: Record<string, Tok> = { in: 'in', notin: 'notin' };

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSymbolChar = (c: string): boolean => '=!(),><'.includes(c);

function lex(s: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isSpace(s[i]!)) i++;
    if (i >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (isSymbolChar(s[i]!)) {
      // Longest run of symbol characters that still spells an operator ("!=", "==" before "!" and "=").
      let best: Item | undefined;
      let j = i;
      let buf = '';
      while (j < s.length && isSymbolChar(s[j]!)) {
        buf += s[j];
        const tok = SYMBOLS[buf];
        if (tok) best = { tok, lit: buf };
        else if (best) break;
        j++;
      }
      // Every single symbol character is an operator, so `best` is always set.
      items.push(best!);
      i += best!.lit.length;
      continue;
    }
    let j = i;
    while (j < s.length && !isSymbolChar(s[j]!) && !isSpace(s[j]!)) j++;
    const word = s.slice(i, j);
    items.push({ tok: KEYWORDS[word] ?? 'ident', lit: word });
    i = j;
  }
}

class ParseError extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In value position the keywords 'in' and 'notin' are plain identifiers. */
  private peek(values = true): Item {
    const it = this.items[this.pos]!;
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'ident', lit: it.lit } : it;
  }

  private next(values = true): Item {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek();
      if (tok === 'end') return reqs;
      if (tok !== 'ident' && tok !== 'not') {
        throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
      try {
        reqs.push(this.requirement());
      } catch (e) {
        if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const after = this.next();
      if (after.tok === 'end') return reqs;
      if (after.tok !== 'comma') throw new ParseError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.tok !== 'ident' && following.tok !== 'not') {
        throw new ParseError(`found '${following.lit}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): LabelRequirement {
    let op: LabelOperator | undefined;
    let t = this.next();
    if (t.tok === 'not') {
      op = '!';
      t = this.next();
    }
    if (t.tok !== 'ident') throw new ParseError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new ParseError(`<nil>: Invalid value: ${quote(key)}: ${keyErrs.join('; ')}`);
    const la = this.peek().tok;
    if ((la === 'end' || la === 'comma') && op !== '!') op = 'exists';
    if (op === 'exists' || op === '!') return this.make(key, op, []);

    const opTok = this.next(false);
    switch (opTok.tok) {
      case 'in':
        op = 'in';
        break;
      case 'notin':
        op = 'notin';
        break;
      case 'equals':
        op = '=';
        break;
      case 'doubleEquals':
        op = '==';
        break;
      case 'notEquals':
        op = '!=';
        break;
      case 'gt':
        op = 'gt';
        break;
      case 'lt':
        op = 'lt';
        break;
      default:
        throw new ParseError(`found '${opTok.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    const values = op === 'in' || op === 'notin' ? this.setValues() : this.exactValue();
    return this.make(key, op, values);
  }

  private make(key: string, op: LabelOperator, values: string[]): LabelRequirement {
    const err = requirementErrors(key, op, values);
    if (err) throw new ParseError(err);
    return { key, operator: op, values };
  }

  /** "(a,b,c)"; empty members are the empty string; the result is a sorted set. */
  private setValues(): string[] {
    const open = this.next();
    if (open.tok !== 'openPar') throw new ParseError(`found '${open.lit}' expected: '('`);
    const first = this.peek();
    if (first.tok === 'closePar') {
      this.next();
      return [''];
    }
    if (first.tok !== 'ident' && first.tok !== 'comma') {
      throw new ParseError(`found '${first.lit}', expected: ',', ')' or identifier`);
    }
    const set = new Set<string>();
    for (;;) {
      const t = this.next();
      if (t.tok === 'ident') {
        set.add(t.lit);
        const la = this.peek();
        if (la.tok === 'comma') continue;
        if (la.tok === 'closePar') break;
        throw new ParseError(`found '${la.lit}', expected: ',' or ')'`);
      } else if (t.tok === 'comma') {
        if (set.size === 0) set.add('');
        const la = this.peek();
        if (la.tok === 'closePar') {
          set.add('');
          break;
        }
        if (la.tok === 'comma') set.add('');
      } else {
        throw new ParseError(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
    this.next(); // ')'
    return [...set].sort();
  }

  private exactValue(): string[] {
    const la = this.peek();
    if (la.tok === 'end' || la.tok === 'comma') return [''];
    const t = this.next();
    if (t.tok === 'ident') return [t.lit];
    throw new ParseError(`found '${t.lit}', expected: identifier`);
  }
}

/**
 * Parse a label selector string ("app=web,tier in (a,b),!canary"); throws a 400 BadRequest StatusError with
 * Kubernetes' message when it is malformed.
 */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return new LabelSelector(new Parser(lex(s)).parse());
  } catch (e) {
    if (e instanceof ParseError) throw badRequest(e.message);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// metav1.LabelSelector objects.

export interface LabelSelectorRequirementObject {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementObject[];
}

/** What callers may hand in: a selector as decoded from JSON, with expressions not yet checked. */
export interface LabelSelectorInput {
  matchLabels?: Record<string, string>;
  matchExpressions?: readonly unknown[];
}

function asRequirementObject(e: unknown): LabelSelectorRequirementObject {
  if (typeof e !== 'object' || e === null) return { key: '', operator: '' };
  const r = e as Record<string, unknown>;
  return {
    key: typeof r.key === 'string' ? r.key : '',
    operator: typeof r.operator === 'string' ? r.operator : '',
    values: Array.isArray(r.values) ? r.values.map(String) : undefined,
  };
}

const OBJECT_OPERATORS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * The selector a {matchLabels, matchExpressions} object means: null/undefined matches nothing, an empty object
 * matches everything. Throws a 400 BadRequest StatusError when it is invalid.
 */
export function labelSelectorFromObject(sel: LabelSelectorInput | null | undefined): LabelSelector {
  if (sel == null) return nothing();
  const matchLabels = sel.matchLabels ?? {};
  const exprs = (sel.matchExpressions ?? []).map(asRequirementObject);
  if (Object.keys(matchLabels).length + exprs.length === 0) return everything();
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) {
    const err = requirementErrors(k, '=', [v]);
    if (err) throw badRequest(err);
    reqs.push({ key: k, operator: '=', values: [v] });
  }
  for (const expr of exprs) {
    const op = OBJECT_OPERATORS[expr.operator];
    if (!op) throw badRequest(`${quote(String(expr.operator))} is not a valid label selector operator`);
    const values = [...(expr.values ?? [])];
    const err = requirementErrors(expr.key, op, values);
    if (err) throw badRequest(err);
    reqs.push({ key: expr.key, operator: op, values: op === 'in' || op === 'notin' ? [...new Set(values)].sort() : values });
  }
  return new LabelSelector(reqs);
}

/**
 * The canonical string of a {matchLabels, matchExpressions} object ("app=web,tier in (a,b)"), as the Scale
 * subresource's status.selector shows it; "" for an empty or absent selector. Throws 400 BadRequest when invalid.
 */
export function labelSelectorString(sel: LabelSelectorInput | null | undefined): string {
  return labelSelectorFromObject(sel).toString();
}

/** A selector requiring exactly these labels. */
export function labelSelectorFromSet(set: Record<string, string> | undefined | null): LabelSelector {
  return new LabelSelector(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })));
}

/** metav1.FormatLabelSelector: "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(sel: LabelSelectorInput | null | undefined): string {
  try {
    return labelSelectorFromObject(sel).toString() || '<none>';
  } catch {
    return '<error>';
  }
}

/** labels.FormatLabels: "k1=v1,k2=v2" sorted by key, "<none>" when there are none. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** Field errors of a metav1.LabelSelector in a spec (ValidateLabelSelector), e.g. for spec.selector. */
export function validateLabelSelectorObject(sel: LabelSelectorObject | null | undefined, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (sel == null) return causes;
  causes.push(...validateLabels(sel.matchLabels, path(fieldPath, 'matchLabels')));
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const p = `${path(fieldPath, 'matchExpressions')}[${i}]`;
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) causes.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          causes.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        break;
      default:
        causes.push(invalid(`${p}.operator`, String(expr.operator ?? ''), 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(String(expr.key ?? ''))) causes.push(invalid(`${p}.key`, String(expr.key ?? ''), msg));
    values.forEach((v, vi) => {
      for (const msg of isValidLabelValue(v)) causes.push(invalid(`${p}.values[${vi}]`, v, msg));
    });
  });
  return causes;
}
