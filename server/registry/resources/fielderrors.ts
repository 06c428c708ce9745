// StatusCause builders phrased the way Kubernetes phrases field errors ("Invalid value: 0: must be ...").
import type { StatusCause } from '../../api/types.js';

/** A bad value already rendered the way Go's %#v would print it (maps, slices, structs). */
export interface GoRendered {
  readonly go: string;
}

/** A value as it appears after "Invalid value: " in a field error. */
export type BadValue = string | number | boolean | null | undefined | GoRendered;

/** Quote a string like Go's %q (strconv.Quote): printable characters kept, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0x80 && cp < 0xa0) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** map[string]string rendered like %#v: keys sorted, `map[string]string{"a":"b", "c":"d"}`. */
export function goStringMap(m: Record<string, string> | undefined | null): GoRendered {
  if (m == null) return { go: 'map[string]string(nil)' };
  const body = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`)
    .join(', ');
  return { go: `map[string]string{${body}}` };
}

/** []string rendered like %#v: `[]string{"a", "b"}`. */
export function goStringSlice(values: string[] | undefined | null): GoRendered {
  if (values == null) return { go: '[]string(nil)' };
  return { go: `[]string{${values.map(goQuote).join(', ')}}` };
}

function renderBadValue(value: BadValue): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value.go;
}

/** A dotted field path with subscripts: path('spec', 'ports', 0, 'port') -> "spec.ports[0].port". */
export function path(...parts: Array<string | number>): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out;
}

/** A map key subscript: key('data', 'a b') -> "data[a b]" (Kubernetes does not quote keys). */
export function key(base: string, k: string): string {
  return `${base}[${k}]`;
}

function withDetail(body: string, detail: string): string {
  return detail ? `${body}: ${detail}` : body;
}

export function invalid(field: string, value: BadValue, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: withDetail(`Invalid value: ${renderBadValue(value)}`, detail), field };
}

export function required(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: withDetail('Required value', detail), field };
}

export function duplicate(field: string, value: BadValue): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${renderBadValue(value)}`, field };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: withDetail('Forbidden', detail), field };
}

export function notSupported(field: string, value: BadValue, supported: string[]): StatusCause {
  const detail = supported.length ? `supported values: ${supported.map(goQuote).join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', message: withDetail(`Unsupported value: ${renderBadValue(value)}`, detail), field };
}

export function tooLong(field: string, maxBytes: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${maxBytes} bytes`, field };
}

export const FIELD_IMMUTABLE = 'field is immutable';
