// Decodes Kubernetes protobuf request bodies (typed clients: kubectl create, client-go, k8s.io/apiserver) into the
// JSON object the Go API server would have had from the equivalent JSON body.
//
// Go writes every non-pointer scalar even when zero, and every embedded struct; its JSON encoder then drops zero
// scalars of omitempty fields. So: a zero scalar is dropped unless its table row keeps it ('*'); a zero Time is
// dropped; empty messages stay {} (as Go's JSON shows them) except a `status` that holds nothing.
// A field number the table does not know is refused (415, "send JSON instead"), never dropped silently.
import { badRequest, unsupportedMediaType } from '../api/errors.js';
import { hasKubernetesProtobufMagic, parseEnvelope, type Envelope } from './envelope.js';
import { MESSAGES, messageForKind, type FieldDef, type MessageDef, type Scalar, type Special, type ValueType } from './schema/index.js';
import { ProtobufWireError, WireReader, WireType, decodeUtf8, int64ToNumber, wireTypeName } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** Messages nested deeper than this are refused (real objects nest about 15 deep). */
export const MAX_PROTOBUF_DEPTH = 100;

/** True for a Content-Type of application/vnd.kubernetes.protobuf (any parameters, any case). */
export function isProtobufMediaType(contentType: string | undefined | null): boolean {
  if (!contentType) return false;
  return contentType.split(';')[0]!.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

/**
 * Decodes a Kubernetes protobuf body ("k8s\0" + runtime.Unknown) into a JSON-ready object whose first keys are the
 * envelope's apiVersion and kind. Throws StatusErrors: 400 BadRequest for malformed input, 415 UnsupportedMediaType
 * for kinds (or fields) kage has no table for.
 */
export function decodeKubernetesProtobuf(body: Uint8Array): Record<string, unknown> {
  return decodeEnvelope(body, 0);
}

/** Decodes one message of the table ("core.PodSpec") from its bare bytes; for tests and nested uses. */
export function decodeProtobufMessage(
  id: string,
  bytes: Uint8Array,
  table: ReadonlyMap<string, MessageDef> = MESSAGES,
): Record<string, unknown> {
  const def = table.get(id);
  if (!def) throw new Error(`protobuf schema: no message ${id}`);
  const out: Record<string, unknown> = {};
  withStatusErrors(() => decodeMessage({ table }, def, new WireReader(bytes), out, 1));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

type Failure = 'malformed' | 'unsupported';

interface Ctx {
  readonly table: ReadonlyMap<string, MessageDef>;
}

const DEFAULT_CTX: Ctx = { table: MESSAGES };

/** An error on its way out, collecting the JSON path it happened at. */
class DecodeError extends Error {
  readonly failure: Failure;
  readonly path: string[] = [];
  constructor(failure: Failure, message: string) {
    super(message);
    this.failure = failure;
  }
}

function malformed(message: string): DecodeError {
  return new DecodeError('malformed', message);
}

function withStatusErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ProtobufWireError) throw badRequest(`error decoding protobuf body: ${err.message}`);
    if (err instanceof DecodeError) {
      const path = joinPath(err.path);
      if (err.failure === 'unsupported') throw unsupportedMediaType(err.message.replace('%WHERE%', path ? ` (at ${path})` : ''));
      throw badRequest(`error decoding protobuf body${path ? ` at ${path}` : ''}: ${err.message.replace('%WHERE%', '')}`);
    }
    throw err;
  }
}

function joinPath(path: string[]): string {
  return path.reduce((acc, seg) => (seg.startsWith('[') || acc === '' ? acc + seg : `${acc}.${seg}`), '');
}

function decodeEnvelope(body: Uint8Array, depth: number): Record<string, unknown> {
  let env: Envelope;
  try {
    env = parseEnvelope(body);
  } catch (err) {
    if (err instanceof ProtobufWireError) throw badRequest(`error decoding protobuf body: ${err.message}`);
    throw err;
  }
  const { apiVersion, kind } = env;
  if (env.contentEncoding !== '') {
    throw unsupportedMediaType(`protobuf bodies with content encoding "${env.contentEncoding}" are not supported; send application/json`);
  }
  if (!kind) throw badRequest('error decoding protobuf body: the envelope names no kind');
  if (env.contentType !== '' && !isProtobufMediaType(env.contentType)) {
    throw unsupportedMediaType(`protobuf envelope content type "${env.contentType}" is not supported; send application/json`);
  }
  const def = messageForKind(apiVersion, kind);
  if (!def) {
    throw unsupportedMediaType(
      `the body of the request was in an unknown format - kage cannot decode protobuf for ${apiVersion || '(no apiVersion)'}, Kind=${kind}; send application/json`,
    );
  }
  const out: Record<string, unknown> = { apiVersion, kind };
  // read raw in place, so that error offsets count from the start of the body
  const start = env.raw.byteOffset - body.byteOffset;
  const r = env.raw.buffer === body.buffer && start >= 0 ? new WireReader(body, start, start + env.raw.length) : new WireReader(env.raw);
  withStatusErrors(() => decodeMessage(DEFAULT_CTX, def, r, out, depth + 1));
  return out;
}

function checkDepth(depth: number): void {
  if (depth > MAX_PROTOBUF_DEPTH) throw malformed(`messages nested deeper than ${MAX_PROTOBUF_DEPTH} levels`);
}

/** Decodes the fields of one message from r into target (fields of repeated occurrences merge, as protobuf does). */
function decodeMessage(ctx: Ctx, def: MessageDef, r: WireReader, target: Record<string, unknown>, depth: number): void {
  checkDepth(depth);
  while (!r.done) {
    const { field, wire } = r.readTag();
    const f = def.fields.get(field);
    if (!f) {
      throw new DecodeError('unsupported', `kage cannot decode field ${field} of ${def.label}%WHERE%; send JSON instead`);
    }
    try {
      decodeField(ctx, def, f, wire, r, target, depth);
    } catch (err) {
      const e = err instanceof ProtobufWireError ? malformed(err.message) : err;
      if (e instanceof DecodeError && !f.inline) e.path.unshift(f.json);
      throw e;
    }
  }
}

function expectWire(def: MessageDef, f: FieldDef, wire: number, want: number): void {
  if (wire !== want) {
    throw malformed(`field ${f.number} (${f.json || 'inline'}) of ${def.label} has ${wireTypeName(wire)} wire type, expected ${wireTypeName(want)}`);
  }
}

function decodeField(ctx: Ctx, def: MessageDef, f: FieldDef, wire: number, r: WireReader, target: Record<string, unknown>, depth: number): void {
  const vt = f.value;
  if (f.mapKey !== undefined) {
    expectWire(def, f, wire, WireType.LengthDelimited);
    const [key, value] = decodeMapEntry(ctx, def, f, r.readSubReader(), depth + 1);
    let map = target[f.json] as Record<string, unknown> | undefined;
    if (map === undefined) target[f.json] = map = {};
    setOwn(map, key, value);
    return;
  }
  if (f.inline) {
    expectWire(def, f, wire, WireType.LengthDelimited);
    decodeMessage(ctx, messageOf(ctx, vt), r.readSubReader(), target, depth + 1);
    return;
  }
  if (f.repeated) {
    let list = target[f.json] as unknown[] | undefined;
    if (list === undefined) target[f.json] = list = [];
    if (vt.t === 'scalar' && wire === WireType.LengthDelimited && isPackable(vt.scalar)) {
      const packed = r.readSubReader();
      while (!packed.done) list.push(readScalar(def, f, vt.scalar, wireFor(vt.scalar), packed));
      return;
    }
    const before = list.length;
    try {
      const v = decodeValue(ctx, def, f, vt, wire, r, undefined, depth);
      list.push(v === undefined ? null : v);
    } catch (err) {
      if (err instanceof DecodeError) err.path.unshift(`[${before}]`);
      throw err;
    }
    return;
  }
  const existing = target[f.json];
  const v = decodeValue(ctx, def, f, vt, wire, r, isPlainObject(existing) ? existing : undefined, depth);
  if (v === undefined || (!f.keepZero && isZero(vt, v)) || (f.json === 'status' && vt.t === 'message' && isDeepEmpty(v))) {
    delete target[f.json];
  } else {
    target[f.json] = v;
  }
}

/** One value of a field (not a map): a scalar, a special form, or a message (merged into `into` when given). */
function decodeValue(
  ctx: Ctx,
  def: MessageDef,
  f: FieldDef,
  vt: ValueType,
  wire: number,
  r: WireReader,
  into: Record<string, unknown> | undefined,
  depth: number,
): unknown {
  switch (vt.t) {
    case 'scalar':
      expectWire(def, f, wire, wireFor(vt.scalar));
      return readScalar(def, f, vt.scalar, wire, r);
    case 'special':
      expectWire(def, f, wire, WireType.LengthDelimited);
      return decodeSpecial(vt.special, r.readSubReader(), depth + 1);
    case 'message': {
      expectWire(def, f, wire, WireType.LengthDelimited);
      const obj = into ?? {};
      decodeMessage(ctx, messageOf(ctx, vt), r.readSubReader(), obj, depth + 1);
      return obj;
    }
  }
}

function decodeMapEntry(ctx: Ctx, def: MessageDef, f: FieldDef, r: WireReader, depth: number): [string, unknown] {
  checkDepth(depth);
  const keyType = f.mapKey!;
  let key: unknown = zeroOf({ t: 'scalar', scalar: keyType });
  let value: unknown;
  while (!r.done) {
    const { field, wire } = r.readTag();
    if (field === 1) {
      if (wire !== wireFor(keyType)) throw malformed(`map ${f.json} of ${def.label} has a key of ${wireTypeName(wire)} wire type`);
      key = readScalar(def, f, keyType, wire, r);
    } else if (field === 2) {
      value = decodeValue(ctx, def, f, f.value, wire, r, isPlainObject(value) ? value : undefined, depth);
    } else {
      throw new DecodeError('unsupported', `kage cannot decode field ${field} of a ${f.json} map entry in ${def.label}%WHERE%; send JSON instead`);
    }
  }
  const k = String(key);
  if (value === undefined) value = zeroOf(f.value);
  return [k, value];
}

function messageOf(ctx: Ctx, vt: ValueType): MessageDef {
  if (vt.t !== 'message') throw new Error('protobuf schema: not a message');
  const def = ctx.table.get(vt.ref);
  if (!def) throw new Error(`protobuf schema: no message ${vt.ref}`);
  return def;
}

function isPackable(s: Scalar): boolean {
  return s !== 'string' && s !== 'bytes';
}

function wireFor(s: Scalar): number {
  switch (s) {
    case 'string':
    case 'bytes':
      return WireType.LengthDelimited;
    case 'double':
      return WireType.Fixed64;
    case 'float':
      return WireType.Fixed32;
    default:
      return WireType.Varint;
  }
}

function readScalar(def: MessageDef, f: FieldDef, s: Scalar, wire: number, r: WireReader): string | number | boolean {
  if (wire !== wireFor(s)) throw malformed(`field ${f.number} of ${def.label} has ${wireTypeName(wire)} wire type, expected ${wireTypeName(wireFor(s))}`);
  switch (s) {
    case 'string':
      return r.readString();
    case 'bytes': {
      const b = r.readBytes();
      return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
    }
    case 'int32':
      return r.readInt32();
    case 'uint32':
      return r.readUint32();
    case 'int64':
      return r.readInt64();
    case 'uint64':
      return r.readUint64();
    case 'bool':
      return r.readBool();
    case 'double':
    case 'float': {
      const v = s === 'double' ? r.readDouble() : r.readFloat();
      if (!Number.isFinite(v)) throw malformed(`field ${f.number} of ${def.label} is ${v}, which JSON cannot hold`);
      return v;
    }
  }
}

function zeroOf(vt: ValueType): unknown {
  if (vt.t === 'message') return {};
  if (vt.t === 'special') {
    switch (vt.special) {
      case 'quantity':
        return '0';
      case 'intorstring':
        return 0;
      case 'duration':
        return '0s';
      case 'stringlist':
        return [];
      default:
        return null;
    }
  }
  switch (vt.scalar) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    default:
      return 0;
  }
}

function isZero(vt: ValueType, v: unknown): boolean {
  if (vt.t === 'message') return false;
  if (vt.t === 'special') {
    if (vt.special === 'intorstring') return v === 0 || v === '';
    if (vt.special === 'duration') return v === '0s';
    return false;
  }
  return v === '' || v === 0 || v === false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDeepEmpty(v: unknown): boolean {
  return isPlainObject(v) && Object.values(v).every(isDeepEmpty);
}

/** Sets an own property even for "__proto__" (as JSON.parse would), so map keys cannot reach a prototype. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

// --- the special JSON forms -----------------------------------------------------------------------------------

/** Reads a small fixed message: only the listed field numbers, each with its wire type. */
function readSmall(label: string, r: WireReader, wires: Readonly<Record<number, number>>, onField: (field: number) => void): void {
  while (!r.done) {
    const { field, wire } = r.readTag();
    const want = wires[field];
    if (want === undefined) throw new DecodeError('unsupported', `kage cannot decode field ${field} of ${label}%WHERE%; send JSON instead`);
    if (wire !== want) throw malformed(`field ${field} of ${label} has ${wireTypeName(wire)} wire type, expected ${wireTypeName(want)}`);
    onField(field);
  }
}

function decodeSpecial(special: Special, r: WireReader, depth: number): unknown {
  checkDepth(depth);
  switch (special) {
    case 'time':
    case 'microtime': {
      if (r.done) return undefined; // a zero Time is written as an empty message
      let seconds = 0;
      let nanos = 0;
      const label = special === 'time' ? 'meta/v1 Time' : 'meta/v1 MicroTime';
      readSmall(label, r, { 1: WireType.Varint, 2: WireType.Varint }, (field) => {
        if (field === 1) seconds = readInt64Exact(r, `${label} seconds`);
        else nanos = r.readInt32();
      });
      return formatTime(seconds, special === 'time' ? 0 : nanos, special === 'microtime');
    }
    case 'duration': {
      let ns = 0;
      readSmall('meta/v1 Duration', r, { 1: WireType.Varint }, () => {
        ns = readInt64Exact(r, 'meta/v1 Duration');
      });
      return formatGoDuration(ns);
    }
    case 'quantity': {
      let s: string | undefined;
      readSmall('resource Quantity', r, { 1: WireType.LengthDelimited }, () => {
        s = r.readString();
      });
      if (s === undefined) return '0';
      if (s === '') throw malformed('a resource Quantity is empty');
      return s;
    }
    case 'intorstring': {
      let type = 0;
      let intVal = 0;
      let strVal = '';
      readSmall('intstr IntOrString', r, { 1: WireType.Varint, 2: WireType.Varint, 3: WireType.LengthDelimited }, (field) => {
        if (field === 1) type = readInt64Exact(r, 'intstr IntOrString type');
        else if (field === 2) intVal = r.readInt32();
        else strVal = r.readString();
      });
      if (type === 0) return intVal;
      if (type === 1) return strVal;
      throw malformed(`an IntOrString has the impossible type ${type}`);
    }
    case 'fieldsv1':
    case 'raw': {
      let raw: Uint8Array | undefined;
      const label = special === 'fieldsv1' ? 'meta/v1 FieldsV1' : 'runtime RawExtension';
      readSmall(label, r, { 1: WireType.LengthDelimited }, () => {
        raw = r.readBytes();
      });
      if (raw === undefined || raw.length === 0) return undefined;
      if (special === 'raw' && hasKubernetesProtobufMagic(raw)) return decodeEnvelope(raw, depth);
      try {
        return JSON.parse(decodeUtf8(raw)) as unknown;
      } catch (err) {
        throw malformed(`${label} does not hold JSON: ${(err as Error).message}`);
      }
    }
    case 'stringlist': {
      const items: string[] = [];
      readSmall('string list', r, { 1: WireType.LengthDelimited }, () => {
        items.push(r.readString());
      });
      return items;
    }
  }
}

function readInt64Exact(r: WireReader, what: string): number {
  const v = r.readVarint64();
  return int64ToNumber(v, () => {
    throw malformed(`${what} is too large for an exact number`);
  });
}

/** Go's zero time.Time as Unix seconds (0001-01-01T00:00:00Z): metav1 writes it as null. */
const GO_ZERO_TIME_SECONDS = -62135596800;
/** 9999-12-31T23:59:59Z: the last second RFC 3339 (and so the JSON form) can say. */
const MAX_RFC3339_SECONDS = 253402300799;
/** 0000-01-01T00:00:00Z. */
const MIN_RFC3339_SECONDS = -62167219200;

/** RFC 3339 in UTC as metav1.Time ("…05Z", nanos 0) or metav1.MicroTime ("…05.000000Z") write it. */
function formatTime(seconds: number, nanos: number, withMicros: boolean): string | undefined {
  // time.Unix normalizes nanos outside [0, 1e9) into the seconds
  seconds += Math.floor(nanos / 1e9);
  nanos = ((nanos % 1e9) + 1e9) % 1e9;
  if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return undefined;
  if (seconds < MIN_RFC3339_SECONDS || seconds > MAX_RFC3339_SECONDS) {
    throw malformed(`a time of ${seconds} seconds since 1970 is outside the years 0000-9999`);
  }
  const d = new Date(seconds * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base =
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}` +
    `T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  return withMicros ? `${base}.${p(Math.floor(nanos / 1000), 6)}Z` : `${base}Z`;
}

/** time.Duration.String(): "0s", "1.5s", "2m0s", "1h0m0s", "300ms", "1µs", "7ns", negatives with "-". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    if (u < 1e3) out = `${u}ns`;
    else if (u < 1e6) out = `${frac(u, 3)}µs`;
    else out = `${frac(u, 6)}ms`;
  } else {
    const secFrac = fracDigits(u % 1e9, 9);
    u = Math.floor(u / 1e9);
    out = `${u % 60}${secFrac}s`;
    u = Math.floor(u / 60);
    if (u > 0) {
      out = `${u % 60}m${out}`;
      u = Math.floor(u / 60);
      if (u > 0) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

function frac(v: number, prec: number): string {
  const unit = 10 ** prec;
  return `${Math.floor(v / unit)}${fracDigits(v % unit, prec)}`;
}

function fracDigits(rem: number, prec: number): string {
  if (rem === 0) return '';
  return `.${String(rem).padStart(prec, '0').replace(/0+$/, '')}`;
}
