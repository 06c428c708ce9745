// fieldValidation=Strict|Warn|Ignore: fields the schema does not know (and duplicate JSON keys) are refused,
// reported as warnings, or dropped silently, as the real server decodes them.
import type { ServerResponse } from 'node:http';
import { badRequest, invalid } from '../api/errors.js';
import type { KubeObject, StatusCause } from '../api/types.js';
import type { ResourceDef } from '../registry/types.js';
import type { TypeSchema } from '../schema/types.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** The fieldValidation query parameter (default Warn, as on a real server); 400 for other values. */
export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}. Must be one of: Ignore, Warn, Strict`);
}

const MAX_DEPTH = 100;

/** Paths ("spec.foo", "spec.containers[0].bogus") of fields `schema` does not declare. */
export function unknownFields(value: unknown, schema: TypeSchema | undefined, path = '', depth = 0, out: string[] = []): string[] {
  if (!schema || value === null || typeof value !== 'object' || depth > MAX_DEPTH) return out;
  // Free-form values (RawExtension, FieldsV1, untyped JSON) accept anything.
  if (schema.type === undefined || schema.special === 'raw' || schema.special === 'fieldsv1') return out;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => unknownFields(v, schema.items, `${path}[${i}]`, depth + 1, out));
    return out;
  }
  const obj = value as Record<string, unknown>;
  if (schema.properties) {
    for (const [k, v] of Object.entries(obj)) {
      const child = Object.hasOwn(schema.properties, k) ? schema.properties[k] : undefined;
      const p = path ? `${path}.${k}` : k;
      if (!child) {
        // kind and apiVersion are type metadata, known to every object.
        if (depth === 0 && (k === 'kind' || k === 'apiVersion')) continue;
        out.push(p);
        continue;
      }
      unknownFields(v, child, p, depth + 1, out);
    }
  } else if (schema.additionalProperties) {
    for (const [k, v] of Object.entries(obj)) unknownFields(v, schema.additionalProperties, `${path}[${k}]`, depth + 1, out);
  }
  return out;
}

/** Removes the fields at the given paths from a decoded body (what Ignore and Warn do: unknown fields are dropped). */
function dropUnknown(value: unknown, schema: TypeSchema | undefined, depth = 0): void {
  if (!schema || value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
  if (schema.type === undefined || schema.special === 'raw' || schema.special === 'fieldsv1') return;
  if (Array.isArray(value)) {
    for (const v of value) dropUnknown(v, schema.items, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  if (schema.properties) {
    for (const k of Object.keys(obj)) {
      const child = Object.hasOwn(schema.properties, k) ? schema.properties[k] : undefined;
      if (!child) {
        if (!(depth === 0 && (k === 'kind' || k === 'apiVersion'))) delete obj[k];
        continue;
      }
      dropUnknown(obj[k], child, depth + 1);
    }
  } else if (schema.additionalProperties) {
    for (const k of Object.keys(obj)) dropUnknown(obj[k], schema.additionalProperties, depth + 1);
  }
}

/** Duplicate keys in one JSON object of the raw body ("metadata.name"-style paths), found without a full parse tree. */
export function duplicateJsonKeys(text: string): string[] {
  const dups: string[] = [];
  // A stack of {keys seen, current key} per open object; arrays push a marker.
  const stack: Array<{ keys: Set<string>; key: string; path: string } | { array: true; path: string; index: number }> = [];
  let i = 0;
  const pathOf = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if ('array' in top) return `${top.path}[${top.index}]`;
    return top.path ? `${top.path}.${top.key}` : top.key;
  };
  let expectKey = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      // Jump to the closing quote (one not escaped by an odd run of backslashes).
      let j = text.indexOf('"', i + 1);
      while (j > 0) {
        let slashes = 0;
        for (let k = j - 1; text.charCodeAt(k) === 92; k--) slashes++;
        if (slashes % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (j < 0) j = text.length;
      const s = text.slice(i + 1, j);
      i = j + 1;
      const top = stack[stack.length - 1];
      if (expectKey && top && !('array' in top)) {
        let key = s;
        try { key = JSON.parse(`"${s}"`) as string; } catch { /* keep raw */ }
        if (top.keys.has(key)) dups.push(top.path ? `${top.path}.${key}` : key);
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      continue;
    }
    if (c === '{') { stack.push({ keys: new Set(), key: '', path: pathOf() }); expectKey = true; }
    else if (c === '[') { stack.push({ array: true, path: pathOf(), index: 0 }); }
    else if (c === '}' || c === ']') { stack.pop(); }
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top && 'array' in top) top.index++;
      else expectKey = true;
    }
    i++;
    if (stack.length > MAX_DEPTH * 2) break;
  }
  return dups;
}

export interface FieldCheck {
  /** Warning header values to send (Warn). */
  warnings: string[];
}

/**
 * Applies fieldValidation to a decoded create/update body (raw JSON text given for duplicate detection):
 * Strict throws 400 naming every problem, Warn returns warnings, both Warn and Ignore drop unknown fields.
 */
export function checkFields(schema: TypeSchema | undefined, obj: KubeObject, mode: FieldValidation, rawJson?: string): FieldCheck {
  const problems: string[] = [];
  if (mode !== 'Ignore') {
    if (rawJson !== undefined) for (const d of duplicateJsonKeys(rawJson)) problems.push(`duplicate field "${d}"`);
    for (const u of unknownFields(obj, schema)) problems.push(`unknown field "${u}"`);
  }
  if (mode === 'Strict' && problems.length > 0) throw badRequest(`strict decoding error: ${problems.join(', ')}`);
  dropUnknown(obj, schema);
  return { warnings: problems };
}

/** Sets Warning headers as the real server writes them (code 299, agent "-"). */
export function warningHeaders(warnings: string[]): string[] {
  return warnings.map((w) => `299 - ${JSON.stringify(w)}`);
}

/** fieldValidation for one request body: throws for Strict, sets Warning headers for Warn, drops unknown fields. */
export async function validateRequestFields(
  res: ServerResponse, q: URLSearchParams, def: ResourceDef, obj: KubeObject, raw?: Buffer, contentType?: string,
): Promise<void> {
  const mode = fieldValidationOf(q);
  const schema = await def.schema();
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const rawJson = raw && (media === '' || media.endsWith('json')) ? raw.toString('utf8') : undefined;
  checkTypes(def, schema, obj);
  const { warnings } = checkFields(schema, obj, mode, rawJson);
  if (warnings.length > 0 && !res.headersSent) res.appendHeader('Warning', warningHeaders(warnings));
}

function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Fields whose JSON type does not match the schema, as 422 causes ("spec.replicas in body must be of type integer"). */
export function typeErrors(value: unknown, schema: TypeSchema | undefined, path = '', depth = 0, out: StatusCause[] = []): StatusCause[] {
  if (!schema || value === null || value === undefined || depth > MAX_DEPTH) return out;
  if (schema.special === 'raw' || schema.special === 'fieldsv1') return out;
  const got = jsonTypeOf(value);
  const fail = (want: string): StatusCause[] => {
    out.push({
      reason: 'FieldValueTypeInvalid',
      message: `Invalid value: "${got}": ${path} in body must be of type ${want}: "${got}"`,
      field: path,
    });
    return out;
  };
  if (schema.special === 'intorstring' || schema.special === 'quantity') {
    return got === 'string' || got === 'integer' || (got === 'number' && schema.special === 'quantity') ? out : fail(schema.special === 'quantity' ? 'string' : 'integer or string');
  }
  switch (schema.type) {
    case undefined: return out;
    case 'string': return got === 'string' ? out : fail('string');
    case 'boolean': return got === 'boolean' ? out : fail('boolean');
    case 'integer': return got === 'integer' ? out : fail('integer');
    case 'number': return got === 'integer' || got === 'number' ? out : fail('number');
    case 'array':
      if (got !== 'array') return fail('array');
      (value as unknown[]).forEach((v, i) => typeErrors(v, schema.items, `${path}[${i}]`, depth + 1, out));
      return out;
    case 'object': {
      if (got !== 'object') return fail('object');
      const obj = value as Record<string, unknown>;
      for (const [k, v] of Object.entries(obj)) {
        const child = schema.properties
          ? (Object.hasOwn(schema.properties, k) ? schema.properties[k] : undefined)
          : schema.additionalProperties;
        typeErrors(v, child, path ? (schema.properties ? `${path}.${k}` : `${path}[${k}]`) : k, depth + 1, out);
      }
      return out;
    }
  }
}

/** 422 Invalid when fields have the wrong JSON type for the kind's schema. */
export function checkTypes(def: ResourceDef, schema: TypeSchema | undefined, obj: KubeObject): void {
  const causes = typeErrors(obj, schema);
  if (causes.length > 0) {
    const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
    throw invalid(def.kind, def.group, name, causes);
  }
}
