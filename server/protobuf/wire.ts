// Protobuf wire format reading: tags, varints, fixed-width numbers and length-delimited fields.
// Every read is bounds-checked; anything malformed throws ProtobufWireError (never reads past the end, never loops).

/** Wire types (the low 3 bits of a tag). */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const WIRE_TYPE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32', 'wire type 6', 'wire type 7'];

export function wireTypeName(w: number): string {
  return WIRE_TYPE_NAMES[w] ?? `wire type ${w}`;
}

/** Malformed protobuf: truncated, overlong, out of range. `offset` is where the reader was. */
export class ProtobufWireError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (byte ${offset})`);
    this.name = 'ProtobufWireError';
    this.offset = offset;
  }
}

/** A 64-bit varint as two unsigned 32-bit halves. */
export interface Varint64 {
  lo: number;
  hi: number;
}

const TWO_32 = 0x1_0000_0000;
/** hi half of 2^53: values with hi >= this are not exact as JS numbers. */
const SAFE_HI = 0x20_0000;

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Decodes UTF-8 as Go's JSON encoder would write it: invalid sequences become U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

export class WireReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    if (start < 0 || end > buf.length || start > end) throw new RangeError('WireReader: bad bounds');
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private fail(message: string, at = this.pos): never {
    throw new ProtobufWireError(message, at);
  }

  /** Reads a varint of at most 10 bytes into two 32-bit halves (bits past 64 are dropped, as Go does). */
  readVarint64(): Varint64 {
    const start = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint', start);
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    this.fail('varint longer than 10 bytes', start);
  }

  /** An unsigned varint as a number; throws past 2^53 - 1. */
  readUint64(): number {
    const at = this.pos;
    const { lo, hi } = this.readVarint64();
    if (hi >= SAFE_HI) this.fail('integer too large for an exact number', at);
    return hi * TWO_32 + lo;
  }

  /** A two's-complement int64 varint as a number; throws outside ±(2^53 - 1). */
  readInt64(): number {
    const at = this.pos;
    const v = this.readVarint64();
    return int64ToNumber(v, () => this.fail('integer too large for an exact number', at));
  }

  /** An int32 varint: the low 32 bits as signed (negative int32s are sent as 10-byte varints). */
  readInt32(): number {
    return this.readVarint64().lo | 0;
  }

  readUint32(): number {
    return this.readVarint64().lo;
  }

  readBool(): boolean {
    const { lo, hi } = this.readVarint64();
    return lo !== 0 || hi !== 0;
  }

  readFixed32(): number {
    this.need(4);
    const v = (this.buf[this.pos]! | (this.buf[this.pos + 1]! << 8) | (this.buf[this.pos + 2]! << 16) | (this.buf[this.pos + 3]! << 24)) >>> 0;
    this.pos += 4;
    return v;
  }

  readFixed64(): Varint64 {
    const lo = this.readFixed32();
    const hi = this.readFixed32();
    return { lo, hi };
  }

  readFloat(): number {
    this.need(4);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  readDouble(): number {
    this.need(8);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** The length prefix of a length-delimited field, checked against what is left. */
  readLength(): number {
    const at = this.pos;
    const { lo, hi } = this.readVarint64();
    if (hi !== 0 || lo > this.end - this.pos) {
      this.fail(`length ${hi === 0 ? lo : 'over 2^32'} runs past the end of the buffer (${this.end - this.pos} bytes left)`, at);
    }
    return lo;
  }

  /** A length-delimited field's bytes (a view into the buffer, not a copy). */
  readBytes(): Uint8Array {
    const len = this.readLength();
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  readString(): string {
    return decodeUtf8(this.readBytes());
  }

  /** A reader over a length-delimited field's bytes; this reader moves past them. */
  readSubReader(): WireReader {
    const len = this.readLength();
    const sub = new WireReader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return sub;
  }

  /** A field tag: field number 1 .. 2^29-1 and wire type 0, 1, 2 or 5 (groups and 6/7 are refused). */
  readTag(): { field: number; wire: number } {
    const at = this.pos;
    const { lo, hi } = this.readVarint64();
    if (hi !== 0) this.fail('field number out of range', at);
    const field = lo >>> 3;
    const wire = lo & 7;
    if (field === 0) this.fail('illegal field number 0', at);
    if (wire === WireType.StartGroup || wire === WireType.EndGroup) this.fail(`field ${field} uses deprecated groups`, at);
    if (wire > WireType.Fixed32) this.fail(`field ${field} has unknown wire type ${wire}`, at);
    return { field, wire };
  }

  /** Skips one field's value of the given wire type. */
  skip(wire: number): void {
    switch (wire) {
      case WireType.Varint:
        this.readVarint64();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.LengthDelimited: {
        const len = this.readLength(); // (not `this.pos += this.readLength()`: that adds to the old pos)
        this.pos += len;
        return;
      }
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        this.fail(`cannot skip ${wireTypeName(wire)}`);
    }
  }

  private need(n: number): void {
    if (this.end - this.pos < n) this.fail(`truncated: ${n} bytes needed, ${this.end - this.pos} left`);
  }
}

/** A two's-complement 64-bit value as a number; calls onUnsafe when it is not exactly representable. */
export function int64ToNumber(v: Varint64, onUnsafe: () => never): number {
  if (v.hi & 0x8000_0000) {
    // negative: -(~v + 1)
    let lo = ~v.lo >>> 0;
    let hi = ~v.hi >>> 0;
    lo = lo + 1;
    if (lo === TWO_32) {
      lo = 0;
      hi = (hi + 1) >>> 0;
    }
    if (hi >= SAFE_HI) onUnsafe();
    return -(hi * TWO_32 + lo);
  }
  if (v.hi >= SAFE_HI) onUnsafe();
  return v.hi * TWO_32 + v.lo;
}
