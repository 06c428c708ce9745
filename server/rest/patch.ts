// PATCH: JSON patch (RFC 6902), merge patch (RFC 7386) and strategic merge patch applied to the stored object.
import jsonpatch from 'fast-json-patch';
import { StatusError, badRequest, unsupportedMediaType } from '../api/errors.js';
import type { KubeObject, Status } from '../api/types.js';
import { chooseOutput } from '../http/accept.js';
import { mediaTypeOf, parseJson, readBody } from '../http/body.js';
import { sendJsonText } from '../http/respond.js';
import { objectBody } from './output.js';
import type { RestRequest } from './context.js';
import { applyMergePatch } from './merge-patch.js';
import { asKubeObject, checkKind } from './strategy.js';
import { guaranteedUpdate } from './update.js';
import { requireNamespace } from './write-options.js';
import { checkFields, checkTypes, fieldValidationOf, warningHeaders } from './field-validation.js';
import { applyStrategicMergePatch, PatchError } from '../patch/strategic-merge.js';
import { patchMetaFromSchema } from '../patch/schema-patch-meta.js';
import { APPLY_PATCH_TYPE, serveApply } from '../apply/request.js';
import { validateWriteOptions } from '../apply/options.js';
import type { TypeSchema } from '../schema/types.js';

const SUPPORTED = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', APPLY_PATCH_TYPE];

function unprocessable(message: string): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Invalid', code: 422 };
  return new StatusError(status);
}

function applyJsonPatch(current: Readonly<KubeObject>, ops: jsonpatch.Operation[]): unknown {
  const doc: unknown = JSON.parse(JSON.stringify(current));
  try {
    return jsonpatch.applyPatch(doc, ops, true, true, true).newDocument;
  } catch (err) {
    const e = err as { name?: string; message?: string; operation?: { op?: string; path?: string } };
    const first = (e.message ?? String(err)).split('\n')[0];
    const where = e.operation?.path !== undefined ? ` (${e.operation.op ?? 'op'} ${e.operation.path})` : '';
    throw unprocessable(`the JSON patch could not be applied: ${first}${where}`);
  }
}

function checkJsonPatchShape(patch: unknown): jsonpatch.Operation[] {
  if (!Array.isArray(patch)) throw badRequest('json patch must be a JSON array of operations');
  for (const [i, op] of patch.entries()) {
    if (op === null || typeof op !== 'object' || typeof (op as { op?: unknown }).op !== 'string' ||
        typeof (op as { path?: unknown }).path !== 'string') {
      throw badRequest(`json patch operation ${i} must be an object with string "op" and "path"`);
    }
  }
  return patch as jsonpatch.Operation[];
}

function applyStrategic(schema: TypeSchema | undefined, current: Readonly<KubeObject>, patch: unknown): unknown {
  const meta = patchMetaFromSchema(schema);
  try {
    return applyStrategicMergePatch(current, patch, meta);
  } catch (err) {
    if (err instanceof PatchError) {
      // A broken patch is the client's fault whatever status the real server picks for it.
      if (err.status === 400) throw badRequest(err.message);
      throw unprocessable(err.message);
    }
    throw err;
  }
}

/** PATCH /…/<resource>/<name>[/status] */
export async function patchObject(r: RestRequest): Promise<void> {
  const out = chooseOutput(r.req.headers.accept, r.query.get('includeObject'), false);
  const media = mediaTypeOf(r.req.headers['content-type']);
  if (!SUPPORTED.includes(media)) {
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${SUPPORTED.join(', ')}`);
  }
  validateWriteOptions(r.query, 'PatchOptions', media === APPLY_PATCH_TYPE);
  const rawBody = await readBody(r.req);
  if (media === APPLY_PATCH_TYPE) return serveApply(r, rawBody);
  const raw = parseJson(rawBody);
  const fieldMode = fieldValidationOf(r.query);
  const schema = await r.def.schema();
  await requireNamespace(r, false);
  let warnings: string[] = [];
  const mutate = (current: Readonly<KubeObject>): KubeObject => {
    let patched: unknown;
    if (media === 'application/json-patch+json') {
      patched = applyJsonPatch(current, checkJsonPatchShape(raw));
    } else if (media === 'application/strategic-merge-patch+json') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('strategic merge patch must be a JSON object');
      patched = applyStrategic(schema, current, raw);
    } else {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('merge patch must be a JSON object');
      patched = applyMergePatch(JSON.parse(JSON.stringify(current)), raw);
    }
    if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) {
      throw unprocessable('the patched object is not a JSON object');
    }
    const body = patched as Record<string, unknown>;
    checkKind(r.def, body);
    const obj = asKubeObject(body);
    if (obj.metadata.name !== r.info.name) {
      throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${r.info.name})`);
    }
    if (r.def.namespaced && obj.metadata.namespace !== r.info.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    // Unknown fields the patch brought in: refused (Strict), reported (Warn), dropped either way.
    checkTypes(r.def, schema, obj);
    warnings = checkFields(schema, obj, fieldMode, media === 'application/json-patch+json' ? undefined : rawBody.toString('utf8')).warnings;
    // A patch that leaves resourceVersion as it was is not a precondition.
    if (obj.metadata.resourceVersion === current.metadata.resourceVersion) delete obj.metadata.resourceVersion;
    return obj;
  };
  const written = await guaranteedUpdate(r, mutate);
  if (warnings.length > 0) r.res.appendHeader('Warning', warningHeaders(warnings));
  sendJsonText(r.res, 200, objectBody(r.def, written, out));
}
