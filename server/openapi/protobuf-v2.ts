// /openapi/v2 as protobuf: the Swagger 2.0 document encoded as gnostic's openapi.v2.Document message, which
// is what client-go's discovery client asks for (and all kubectl's OpenAPI v2 users read: client-side
// validation of `kind: List` manifests, `explain --output plaintext-openapiv2`, apply's v2 fallback).
// Covers exactly the subset of Swagger that openAPIV2Document writes; anything else is a bug and throws.
// Field numbers are facts of gnostic's OpenAPIv2.proto.
import type { JsonObject } from './emit.js';

/** A message being written, into one growing buffer (nested messages are copied in once finished). */
class Msg {
  private buf = Buffer.allocUnsafe(64);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  private varint(n: number): void {
    this.room(10);
    while (n > 0x7f) {
      this.buf[this.length++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.length++] = n;
  }

  private lengthDelimited(field: number, b: Uint8Array): void {
    this.varint((field << 3) | 2);
    this.varint(b.length);
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  string(field: number, s: string | undefined): this {
    if (s === undefined || s === '') return this;
    this.lengthDelimited(field, Buffer.from(s, 'utf8'));
    return this;
  }

  /** Repeated strings keep empty elements (they are not packed). */
  strings(field: number, list: readonly string[] | undefined): this {
    for (const s of list ?? []) this.lengthDelimited(field, Buffer.from(s, 'utf8'));
    return this;
  }

  bool(field: number, v: boolean | undefined): this {
    if (!v) return this;
    this.varint(field << 3);
    this.varint(1);
    return this;
  }

  message(field: number, m: Msg): this {
    this.lengthDelimited(field, m.bytes());
    return this;
  }

  /** The encoded bytes (a view; valid until the message is written to again). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

type Json = JsonObject;

function fail(where: string, key: string): never {
  throw new Error(`openapi v2 protobuf: ${where} has '${key}', which the encoder does not know`);
}

/** NamedAny{name, Any{yaml}}: an extension's value as YAML (JSON is YAML). */
function extension(name: string, value: unknown): Msg {
  return new Msg().string(1, name).message(2, new Msg().string(2, JSON.stringify(value)));
}

function schema(s: Json, where: string): Msg {
  const m = new Msg();
  const ext: Msg[] = [];
  for (const [k, v] of Object.entries(s)) {
    switch (k) {
      case '$ref': m.string(1, v as string); break;
      case 'format': m.string(2, v as string); break;
      case 'description': m.string(4, v as string); break;
      case 'required': m.strings(19, v as string[]); break;
      case 'additionalProperties': m.message(21, new Msg().message(1, schema(v as Json, `${where}.additionalProperties`))); break;
      case 'type': m.message(22, new Msg().strings(1, [v as string])); break;
      case 'items': m.message(23, new Msg().message(1, schema(v as Json, `${where}.items`))); break;
      case 'properties': {
        const props = new Msg();
        for (const [name, p] of Object.entries(v as Json)) {
          props.message(1, new Msg().string(1, name).message(2, schema(p as Json, `${where}.${name}`)));
        }
        m.message(25, props);
        break;
      }
      default:
        if (!k.startsWith('x-')) fail(where, k);
        ext.push(extension(k, v));
    }
  }
  for (const e of ext) m.message(31, e);
  return m;
}

function parameter(p: Json, where: string): Msg {
  const known = new Set(['name', 'in', 'description', 'required', 'type', 'uniqueItems', 'schema']);
  for (const k of Object.keys(p)) if (!known.has(k)) fail(where, k);
  let param: Msg;
  if (p['in'] === 'body') {
    const body = new Msg()
      .string(1, p['description'] as string | undefined)
      .string(2, p['name'] as string)
      .string(3, 'body')
      .bool(4, p['required'] as boolean | undefined)
      .message(5, schema(p['schema'] as Json, `${where}.schema`));
    param = new Msg().message(1, body);
  } else if (p['in'] === 'query' || p['in'] === 'path') {
    const query = p['in'] === 'query';
    const sub = new Msg()
      .bool(1, p['required'] as boolean | undefined)
      .string(2, p['in'] as string)
      .string(3, p['description'] as string | undefined)
      .string(4, p['name'] as string)
      .string(query ? 6 : 5, p['type'] as string)
      .bool(query ? 20 : 19, p['uniqueItems'] as boolean | undefined);
    param = new Msg().message(2, new Msg().message(query ? 3 : 4, sub));
  } else {
    fail(where, `in=${String(p['in'])}`);
  }
  // ParametersItem{parameter}
  return new Msg().message(1, param);
}

function operation(op: Json, where: string): Msg {
  const m = new Msg();
  const ext: Msg[] = [];
  for (const [k, v] of Object.entries(op)) {
    switch (k) {
      case 'tags': m.strings(1, v as string[]); break;
      case 'description': m.string(3, v as string); break;
      case 'operationId': m.string(5, v as string); break;
      case 'produces': m.strings(6, v as string[]); break;
      case 'consumes': m.strings(7, v as string[]); break;
      case 'parameters':
        for (const p of v as Json[]) m.message(8, parameter(p, `${where}.parameters`));
        break;
      case 'responses': {
        const responses = new Msg();
        for (const [code, r] of Object.entries(v as Json)) {
          const resp = new Msg().string(1, (r as Json)['description'] as string);
          const s = (r as Json)['schema'] as Json | undefined;
          if (s) resp.message(2, new Msg().message(1, schema(s, `${where}.responses.${code}`)));
          responses.message(1, new Msg().string(1, code).message(2, new Msg().message(1, resp)));
        }
        m.message(9, responses);
        break;
      }
      case 'schemes': m.strings(10, v as string[]); break;
      default:
        if (!k.startsWith('x-')) fail(where, k);
        ext.push(extension(k, v));
    }
  }
  for (const e of ext) m.message(13, e);
  return m;
}

const PATH_ITEM_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function pathItem(item: Json, where: string): Msg {
  const m = new Msg();
  for (const [k, v] of Object.entries(item)) {
    if (k === 'parameters') {
      for (const p of v as Json[]) m.message(9, parameter(p, `${where}.parameters`));
    } else if (PATH_ITEM_FIELDS[k] !== undefined) {
      m.message(PATH_ITEM_FIELDS[k], operation(v as Json, `${where}.${k}`));
    } else {
      fail(where, k);
    }
  }
  return m;
}

/** Encodes a Swagger 2.0 document (as openAPIV2Document builds it) as an openapi.v2.Document. */
export function encodeOpenAPIV2(doc: Json): Buffer {
  const m = new Msg();
  for (const [k, v] of Object.entries(doc)) {
    switch (k) {
      case 'swagger': m.string(1, v as string); break;
      case 'info': {
        const i = v as Json;
        m.message(2, new Msg().string(1, i['title'] as string).string(2, i['version'] as string));
        break;
      }
      case 'paths': {
        const paths = new Msg();
        for (const [path, item] of Object.entries(v as Json)) paths.message(2, new Msg().string(1, path).message(2, pathItem(item as Json, path)));
        m.message(8, paths);
        break;
      }
      case 'definitions': {
        const defs = new Msg();
        for (const [name, s] of Object.entries(v as Json)) defs.message(1, new Msg().string(1, name).message(2, schema(s as Json, name)));
        m.message(9, defs);
        break;
      }
      case 'security':
        for (const req of v as Json[]) {
          const r = new Msg();
          for (const [name, scopes] of Object.entries(req)) r.message(1, new Msg().string(1, name).message(2, new Msg().strings(1, scopes as string[])));
          m.message(12, r);
        }
        break;
      case 'securityDefinitions': {
        const defs = new Msg();
        for (const [name, d] of Object.entries(v as Json)) {
          const s = d as Json;
          if (s['type'] !== 'apiKey') fail('securityDefinitions', `type=${String(s['type'])}`);
          const key = new Msg().string(1, 'apiKey').string(2, s['name'] as string).string(3, s['in'] as string).string(4, s['description'] as string);
          defs.message(1, new Msg().string(1, name).message(2, new Msg().message(2, key)));
        }
        m.message(13, defs);
        break;
      }
      default:
        fail('document', k);
    }
  }
  return Buffer.from(m.bytes());
}
