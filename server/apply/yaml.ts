// Decoding an applied configuration: JSON (what kubectl and client-go send) directly, anything else as YAML
// with the `yaml` package, loaded on the first YAML body only (server/http/body.ts).
import { badRequest } from '../api/errors.js';
import { loadYaml } from '../http/body.js';

/** The decoded body and, when it was JSON, its text (for duplicate-field checks). 400 when it is neither. */
export async function decodeApplyBody(body: Buffer): Promise<{ value: unknown; json?: string }> {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('error decoding YAML: the body of the request is empty');
  const first = text.trimStart()[0];
  if (first === '{') {
    try {
      return { value: JSON.parse(text), json: text };
    } catch {
      // not JSON after all: YAML flow syntax, or broken
    }
  }
  const { parse } = await loadYaml();
  try {
    return { value: parse(text, { maxAliasCount: 100 }) };
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
}
