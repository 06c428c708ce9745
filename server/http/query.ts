// Typed reading of query parameters, with Kubernetes-style errors for bad values.
import { badRequest } from '../api/errors.js';

/** A boolean parameter: "true"/"1" → true, "false"/"0"/"" → false; anything else is a 400. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  if (v === 'true' || v === '1' || v === '') return v !== '';
  if (v === 'false' || v === '0') return false;
  throw badRequest(`invalid value for ${name}: "${v}" is not a boolean`);
}

/** A non-negative integer parameter, or undefined when absent. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: "${v}" is not an integer`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid value for ${name}: "${v}" is out of range`);
  return n;
}
