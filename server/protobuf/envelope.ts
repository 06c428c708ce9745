// The Kubernetes protobuf envelope: the magic "k8s\0" followed by a runtime.Unknown message
// { typeMeta: {apiVersion, kind} = 1, raw = 2, contentEncoding = 3, contentType = 4 }.
import { ProtobufWireError, WireReader, WireType } from './wire.js';

/** "k8s\0": the four bytes every Kubernetes protobuf body starts with. */
export const KUBERNETES_PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface Envelope {
  apiVersion: string;
  kind: string;
  /** The object's own protobuf bytes (a view into the body). */
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

export function hasKubernetesProtobufMagic(body: Uint8Array): boolean {
  return (
    body.length >= 4 &&
    body[0] === KUBERNETES_PROTOBUF_MAGIC[0] &&
    body[1] === KUBERNETES_PROTOBUF_MAGIC[1] &&
    body[2] === KUBERNETES_PROTOBUF_MAGIC[2] &&
    body[3] === KUBERNETES_PROTOBUF_MAGIC[3]
  );
}

/**
 * Splits a body into its envelope. Throws ProtobufWireError for a missing magic or a malformed Unknown message.
 * Unknown fields of the envelope itself are skipped, as protobuf readers do.
 */
export function parseEnvelope(body: Uint8Array): Envelope {
  if (!hasKubernetesProtobufMagic(body)) {
    throw new ProtobufWireError('the body does not start with the Kubernetes protobuf magic "k8s\\0"', 0);
  }
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  const r = new WireReader(body, 4);
  while (!r.done) {
    const { field, wire } = r.readTag();
    if (field >= 1 && field <= 4 && wire !== WireType.LengthDelimited) {
      throw new ProtobufWireError(`envelope field ${field} has wire type ${wire}, expected length-delimited`, r.pos);
    }
    switch (field) {
      case 1: {
        const tm = r.readSubReader();
        while (!tm.done) {
          const t = tm.readTag();
          if ((t.field === 1 || t.field === 2) && t.wire !== WireType.LengthDelimited) {
            throw new ProtobufWireError(`envelope typeMeta field ${t.field} has wire type ${t.wire}, expected length-delimited`, tm.pos);
          }
          if (t.field === 1) env.apiVersion = tm.readString();
          else if (t.field === 2) env.kind = tm.readString();
          else tm.skip(t.wire);
        }
        break;
      }
      case 2:
        env.raw = r.readBytes();
        break;
      case 3:
        env.contentEncoding = r.readString();
        break;
      case 4:
        env.contentType = r.readString();
        break;
      default:
        r.skip(wire);
    }
  }
  return env;
}
