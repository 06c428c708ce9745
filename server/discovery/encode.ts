// JSON text as the real server writes it (Go's encoding/json): compact, or indented by two spaces for
// "pretty" clients, with <, >, &, U+2028 and U+2029 escaped.
import { createHash } from 'node:crypto';

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * Serializes like Go's json.Marshal (or MarshalIndent with two spaces when `pretty`). The escaped characters
 * can only occur inside strings, so replacing them in the whole text is safe.
 */
export function goJson(value: unknown, pretty = false): string {
  return JSON.stringify(value, null, pretty ? 2 : undefined).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}

/** The ETag value (unquoted) of an aggregated discovery document: uppercase hex SHA-512 of its compact JSON. */
export function sha512Hex(text: string): string {
  return createHash('sha512').update(text).digest('hex').toUpperCase();
}
