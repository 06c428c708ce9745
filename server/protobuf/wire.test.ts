import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtobufWireError, WireReader } from './wire.js';
import { parseEnvelope, KUBERNETES_PROTOBUF_MAGIC } from './envelope.js';
import { cat, envelope, fixed32, fixed64, ld, msg, tag, varint, vint } from './fixtures/encoder.js';

const reader = (...parts: Uint8Array[]): WireReader => new WireReader(cat(...parts));

test('varints: one to ten bytes, unsigned and two-complement signed', () => {
  for (const n of [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER]) {
    assert.equal(reader(varint(n)).readUint64(), n, `uint64 ${n}`);
    assert.equal(reader(varint(n)).readInt64(), n, `int64 ${n}`);
  }
  for (const n of [-1, -2, -300, -(2 ** 31), -(2 ** 32), -Number.MAX_SAFE_INTEGER]) {
    const bytes = varint(n);
    assert.equal(bytes.length, 10, `negative ${n} is a 10-byte varint`);
    assert.equal(reader(bytes).readInt64(), n, `int64 ${n}`);
  }
  // int32: the low 32 bits, signed; negative int32s come as 10-byte varints
  assert.equal(reader(varint(-1)).readInt32(), -1);
  assert.equal(reader(varint(-2147483648)).readInt32(), -2147483648);
  assert.equal(reader(varint(2147483647)).readInt32(), 2147483647);
  assert.equal(reader(varint(0xffffffff)).readInt32(), -1);
  assert.equal(reader(varint(0xffffffff)).readUint32(), 0xffffffff);
  assert.equal(reader(varint(1)).readBool(), true);
  assert.equal(reader(varint(0)).readBool(), false);
  assert.equal(reader(varint(2n ** 40n)).readBool(), true);
});

test('64-bit values past 2^53 are refused rather than rounded', () => {
  assert.throws(() => reader(varint(2n ** 53n)).readUint64(), ProtobufWireError);
  assert.throws(() => reader(varint(2n ** 64n - 1n)).readUint64(), ProtobufWireError);
  assert.throws(() => reader(varint(2n ** 62n)).readInt64(), ProtobufWireError);
  assert.throws(() => reader(varint(-(2n ** 53n))).readInt64(), ProtobufWireError);
  assert.equal(reader(varint(2n ** 53n - 1n)).readInt64(), Number.MAX_SAFE_INTEGER);
});

test('truncated and overlong varints', () => {
  assert.throws(() => reader(Uint8Array.of(0x80)).readVarint64(), /truncated varint/);
  assert.throws(() => reader(Uint8Array.of(0xff, 0xff, 0xff)).readVarint64(), /truncated varint/);
  assert.throws(() => reader(new Uint8Array(0)).readVarint64(), /truncated varint/);
  const eleven = new Uint8Array(11).fill(0x80);
  eleven[10] = 0x01;
  assert.throws(() => reader(eleven).readVarint64(), /longer than 10 bytes/);
  const many = new Uint8Array(1_000_000).fill(0xff);
  assert.throws(() => reader(many).readVarint64(), /longer than 10 bytes/);
});

test('lengths are checked against what is left', () => {
  assert.throws(() => reader(varint(5), Uint8Array.of(1, 2)).readBytes(), /runs past the end/);
  assert.throws(() => reader(varint(2n ** 40n)).readBytes(), /runs past the end/);
  assert.throws(() => reader(varint(2 ** 31)).readString(), /runs past the end/);
  const r = reader(varint(2), Uint8Array.of(0x61, 0x62), Uint8Array.of(0x63));
  assert.equal(r.readString(), 'ab');
  assert.equal(r.pos, 3);
  // a sub-reader ends at its own length, not the buffer's
  const outer = reader(varint(1), Uint8Array.of(0x80), varint(1));
  const sub = outer.readSubReader();
  assert.equal(sub.end, 2);
  assert.equal(outer.pos, 2);
  assert.throws(() => sub.readTag(), /truncated varint/);
});

test('fixed-width numbers', () => {
  const r = reader(fixed64(1, 1.5), fixed32(2, -0.25));
  assert.deepEqual(r.readTag(), { field: 1, wire: 1 });
  assert.equal(r.readDouble(), 1.5);
  assert.deepEqual(r.readTag(), { field: 2, wire: 5 });
  assert.equal(r.readFloat(), -0.25);
  assert.ok(r.done);
  assert.throws(() => reader(Uint8Array.of(1, 2, 3)).readFixed32(), /truncated/);
  assert.throws(() => reader(Uint8Array.of(1, 2, 3, 4, 5, 6, 7)).readDouble(), /truncated/);
  assert.deepEqual(reader(Uint8Array.of(1, 0, 0, 0, 2, 0, 0, 0)).readFixed64(), { lo: 1, hi: 2 });
});

test('tags: field 0, groups and wire types 6 and 7 are refused', () => {
  assert.deepEqual(reader(tag(1, 2)).readTag(), { field: 1, wire: 2 });
  assert.deepEqual(reader(tag(536870911, 0)).readTag(), { field: 536870911, wire: 0 });
  assert.throws(() => reader(tag(0, 0)).readTag(), /illegal field number 0/);
  assert.throws(() => reader(tag(3, 3)).readTag(), /groups/);
  assert.throws(() => reader(tag(3, 4)).readTag(), /groups/);
  assert.throws(() => reader(tag(3, 6)).readTag(), /unknown wire type 6/);
  assert.throws(() => reader(tag(3, 7)).readTag(), /unknown wire type 7/);
  assert.throws(() => reader(varint(2n ** 40n)).readTag(), /field number out of range/);
});

test('skip moves past every wire type, bounds-checked', () => {
  const r = reader(vint(1, -1), fixed64(2, 2), ld(3, 'xyz'), fixed32(4, 1), vint(5, 7));
  for (let i = 0; i < 4; i++) r.skip(r.readTag().wire);
  assert.deepEqual(r.readTag(), { field: 5, wire: 0 });
  assert.equal(r.readInt32(), 7);
  assert.throws(() => reader(Uint8Array.of(1, 2)).skip(1), /truncated/);
  assert.throws(() => reader(varint(9)).skip(2), /runs past the end/);
  assert.throws(() => reader().skip(3), /cannot skip/);
});

test('strings are UTF-8; invalid bytes become U+FFFD as in Go JSON', () => {
  const ok = reader(ld(1, 'héllo ✓'));
  ok.readTag();
  assert.equal(ok.readString(), 'héllo ✓');
  const r = reader(varint(3), Uint8Array.of(0x61, 0xff, 0x62));
  assert.equal(r.readString(), 'a\ufffdb');
});

test('envelope: magic, typeMeta, raw; unknown envelope fields skipped', () => {
  const body = envelope('apps/v1', 'Deployment', Uint8Array.of(1, 2, 3), cat(ld(3, ''), ld(4, 'application/vnd.kubernetes.protobuf'), vint(9, 1)));
  assert.deepEqual([...body.subarray(0, 4)], [...KUBERNETES_PROTOBUF_MAGIC]);
  const env = parseEnvelope(body);
  assert.equal(env.apiVersion, 'apps/v1');
  assert.equal(env.kind, 'Deployment');
  assert.deepEqual([...env.raw], [1, 2, 3]);
  assert.equal(env.contentEncoding, '');
  assert.equal(env.contentType, 'application/vnd.kubernetes.protobuf');
  assert.throws(() => parseEnvelope(Buffer.from('{"kind":"ConfigMap"}')), /magic/);
  assert.throws(() => parseEnvelope(Buffer.from('k8s')), /magic/);
  assert.throws(() => parseEnvelope(cat(Buffer.from('k8s\0'), vint(1, 5))), /expected length-delimited/);
  assert.throws(() => parseEnvelope(cat(Buffer.from('k8s\0'), msg(1, vint(2, 5)))), /expected length-delimited/);
  // an empty Unknown is well-formed (the decoder refuses it for having no kind)
  assert.equal(parseEnvelope(Buffer.from('k8s\0')).kind, '');
});
