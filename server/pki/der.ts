// Just enough DER (ASN.1 Distinguished Encoding Rules) to write kage's X.509 certificates and to
// read a few fields back out of them, using nothing but Buffers. Loading a general-purpose ASN.1 /
// X.509 library costs ~100 ms and ~20 MiB at startup; the certificates kage issues need a dozen
// element types.

/** One encoded TLV (tag, length, value). */
export type Der = Buffer;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A TLV with the given tag byte around `content` (a Buffer or the concatenation of several). */
export function tlv(tag: number, content: Buffer | readonly Buffer[]): Der {
  const body = Buffer.isBuffer(content) ? content : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export const sequence = (...items: Buffer[]): Der => tlv(0x30, items);
export const set = (...items: Buffer[]): Der => tlv(0x31, items);
export const octetString = (bytes: Buffer): Der => tlv(0x04, bytes);
export const utf8String = (text: string): Der => tlv(0x0c, Buffer.from(text, 'utf8'));
export const boolean = (value: boolean): Der => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
/** [n] EXPLICIT: a constructed context-specific tag around one element. */
export const explicit = (n: number, inner: Buffer): Der => tlv(0xa0 | n, inner);
/** [n] IMPLICIT for a primitive type: the value bytes under a context-specific tag. */
export const implicitPrimitive = (n: number, bytes: Buffer): Der => tlv(0x80 | n, bytes);

/** BIT STRING with `unusedBits` (0-7) padding bits at the end of the last byte. */
export function bitString(bytes: Buffer, unusedBits = 0): Der {
  return tlv(0x03, [Buffer.from([unusedBits]), bytes]);
}

/**
 * A named-bit-list BIT STRING (e.g. KeyUsage) with the given bit numbers set; DER drops trailing
 * zero bits.
 */
export function namedBits(bits: readonly number[]): Der {
  if (bits.length === 0) return bitString(Buffer.alloc(0));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)]! |= 0x80 >> bit % 8;
  return bitString(bytes, 7 - (highest % 8));
}

/** INTEGER from big-endian unsigned bytes (minimal encoding, a 0x00 prefix when the top bit is set). */
export function unsignedInteger(bytes: Buffer): Der {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export function smallInteger(value: number): Der {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new RangeError(`unsupported integer ${value}`);
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return unsignedInteger(Buffer.from(bytes.length ? bytes : [0]));
}

/** OBJECT IDENTIFIER from dotted notation. */
export function oid(dotted: string): Der {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new Error(`invalid OID ${dotted}`);
  const out: number[] = [];
  const push = (value: number): void => {
    const chunk = [value & 0x7f];
    for (let n = Math.floor(value / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    out.push(...chunk);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(0x06, Buffer.from(out));
}

/** X.509 Time: UTCTime through 2049, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5); whole seconds. */
export function time(date: Date): Der {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const year = date.getUTCFullYear();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'));
  return tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface Element {
  tag: number;
  /** The whole TLV. */
  raw: Buffer;
  /** The value bytes. */
  content: Buffer;
}

/** Reads the TLV at `offset` of `buf`. Throws on truncated or unsupported (indefinite, multi-byte tag) input. */
export function readElement(buf: Buffer, offset = 0): Element {
  if (offset + 2 > buf.length) throw new Error('DER: truncated');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not supported');
  let length = buf[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: unsupported length');
    if (offset + 2 + n > buf.length) throw new Error('DER: truncated');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i]!;
    header += n;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new Error('DER: truncated');
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + header, end) };
}

/** The elements inside a constructed element's content. */
export function children(content: Buffer): Element[] {
  const out: Element[] = [];
  for (let offset = 0; offset < content.length; ) {
    const el = readElement(content, offset);
    out.push(el);
    offset += el.raw.length;
  }
  return out;
}

/** Dotted notation of an OBJECT IDENTIFIER's content bytes. */
export function decodeOid(content: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}
