// PATCH with application/apply-patch+yaml: server-side apply through the REST machinery. The object is
// updated (guaranteedUpdate, so preconditions, dryRun, defaults and validation work as for any patch) or,
// when it does not exist, created (201).
import { StatusError, alreadyExists, badRequest } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { StoreError } from '../../storage/store.js';
import { chooseOutput } from '../http/accept.js';
import { sendJsonText } from '../http/respond.js';
import { groupVersionString } from '../registry/types.js';
import { resourceOf, type RestRequest } from '../rest/context.js';
import { checkFields, checkTypes, fieldValidationOf, warningHeaders } from '../rest/field-validation.js';
import { objectKey } from '../rest/keys.js';
import { objectBody } from '../rest/output.js';
import { prepareForCreate, validateObject } from '../rest/strategy.js';
import { guaranteedUpdate, type WrittenObject } from '../rest/update.js';
import { isDryRun, requireNamespace } from '../rest/write-options.js';
import { applyConfiguration } from './apply.js';
import { isPlainObject } from './field-set.js';
import type { WriteContext } from './managed-fields.js';
import { validateWriteOptions, writeContextFor } from './options.js';
import { cloneJson } from './typed.js';
import { decodeApplyBody } from './yaml.js';

export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

/** The applied configuration: a YAML (or JSON) object of the URL's kind, name and namespace. */
async function decodeConfiguration(r: RestRequest, body: Buffer): Promise<{ config: KubeObject; json?: string }> {
  const { value, json } = await decodeApplyBody(body);
  if (!isPlainObject(value)) throw badRequest('error decoding patch: the apply configuration must be a YAML or JSON object');
  const gv = groupVersionString(r.def);
  const apiVersion = value['apiVersion'];
  if (apiVersion !== gv) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${typeof apiVersion === 'string' ? apiVersion : ''}, expected: ${gv}`);
  }
  const kind = value['kind'];
  if (kind !== r.def.kind) {
    throw badRequest(`Incorrect kind specified in apply patch. Specified patch kind: ${typeof kind === 'string' ? kind : ''}, expected: ${r.def.kind}`);
  }
  const md = value['metadata'];
  if (md === undefined || md === null) value['metadata'] = {};
  else if (!isPlainObject(md)) throw badRequest('error decoding patch: metadata must be an object');
  const meta = value['metadata'] as Record<string, unknown>;
  const name = meta['name'];
  if (name !== undefined && name !== r.info.name) {
    throw badRequest(`the name of the object (${String(name)}) does not match the name on the URL (${r.info.name})`);
  }
  const ns = meta['namespace'];
  if (r.def.namespaced && ns !== undefined && ns !== '' && ns !== r.info.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  return json === undefined ? { config: value as KubeObject } : { config: value as KubeObject, json };
}

function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.code === 404;
}

/** PATCH with Content-Type application/apply-patch+yaml: server-side apply (200), or create (201). */
export async function serveApply(r: RestRequest, body: Buffer): Promise<void> {
  const out = chooseOutput(r.req.headers.accept, r.query.get('includeObject'), false);
  const { force } = validateWriteOptions(r.query, 'PatchOptions', true);
  const fieldMode = fieldValidationOf(r.query);
  const dryRun = isDryRun(r.query);
  const { config, json } = await decodeConfiguration(r, body);
  const ctx = { ...(await writeContextFor(r, r.query.get('fieldManager')!)), force };
  // Unknown (and, in JSON, duplicate) fields: refused (Strict), reported (Warn), dropped either way.
  checkTypes(r.def, ctx.schema, config);
  const { warnings } = checkFields(ctx.schema, config, fieldMode, json);
  const preconditionRV = config.metadata.resourceVersion;
  await requireNamespace(r, false);

  const update = () => guaranteedUpdate(r, (current) => {
    const next = applyConfiguration(current, cloneJson(config), { ...ctx, now: new Date() });
    // Without a resourceVersion in the configuration, an apply is no precondition.
    if (preconditionRV === undefined || preconditionRV === null || preconditionRV === '') delete next.metadata.resourceVersion;
    return next;
  }, null);

  let written: WrittenObject | undefined;
  let code = 200;
  for (let attempt = 0; written === undefined; attempt++) {
    try {
      written = await update();
      break;
    } catch (err) {
      if (!isNotFound(err) || r.info.subresource) throw err;
    }
    written = await create(r, config, ctx, dryRun);
    if (written) code = 201;
    else if (attempt >= 3) throw alreadyExists(resourceOf(r.def), r.info.name);
  }
  if (warnings.length > 0 && !r.res.headersSent) r.res.appendHeader('Warning', warningHeaders(warnings));
  sendJsonText(r.res, code, objectBody(r.def, written, out));
}

/** Creates the object from the configuration; undefined when someone created it meanwhile (then it is updated). */
async function create(r: RestRequest, config: KubeObject, ctx: WriteContext & { force: boolean }, dryRun: boolean): Promise<WrittenObject | undefined> {
  await requireNamespace(r, true, r.info.name);
  if (config.metadata.name === undefined) {
    throw badRequest(`the name of the object () does not match the name on the URL (${r.info.name})`);
  }
  const now = new Date();
  const obj = applyConfiguration(undefined, cloneJson(config), { ...ctx, now });
  const prepared = prepareForCreate(r.def, obj, r.info.namespace, now);
  // managedFields last in metadata, as for any other create.
  const managed = prepared.metadata.managedFields;
  delete prepared.metadata.managedFields;
  if (managed !== undefined) prepared.metadata.managedFields = managed;
  validateObject(r.def, prepared);
  const key = objectKey(r.def, r.info.namespace, r.info.name);
  if (dryRun) {
    if (await r.services.store.get(key)) return undefined;
    return { object: prepared, json: JSON.stringify(prepared) };
  }
  try {
    return await r.services.store.create(key, prepared);
  } catch (err) {
    if (err instanceof StoreError && err.code === 'AlreadyExists') return undefined;
    throw err;
  }
}
