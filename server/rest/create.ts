// POST: create an object.
import { alreadyExists, badRequest } from '../api/errors.js';
import { StoreError } from '../../storage/store.js';
import { decodeObjectBody, readBody } from '../http/body.js';
import { chooseOutput } from '../http/accept.js';
import { sendJsonText } from '../http/respond.js';
import { resourceOf, type RestRequest } from './context.js';
import { objectKey } from './keys.js';
import { objectBody } from './output.js';
import { asKubeObject, checkKind, generatedName, prepareForCreate, validateObject } from './strategy.js';
import { validateRequestFields } from './field-validation.js';
import { checkNamespaceMatches, isDryRun, requireNamespace } from './write-options.js';
import { recordUpdate } from '../apply/managed-fields.js';
import { validateWriteOptions, writeContextFor } from '../apply/options.js';

export async function createObject(r: RestRequest): Promise<void> {
  if (r.info.name || r.info.subresource) throw badRequest('create is not allowed on a named object: POST to the collection');
  const out = chooseOutput(r.req.headers.accept, r.query.get('includeObject'), false);
  const dryRun = isDryRun(r.query);
  validateWriteOptions(r.query, 'CreateOptions');
  const raw = await readBody(r.req);
  const body = await decodeObjectBody(raw, r.req.headers['content-type']);
  checkKind(r.def, body);
  const obj = asKubeObject(body);
  await validateRequestFields(r.res, r.query, r.def, obj, raw, r.req.headers['content-type']);
  checkNamespaceMatches(r, obj);
  await requireNamespace(r, true, typeof obj.metadata.name === 'string' ? obj.metadata.name : '');
  const generated = !obj.metadata.name && typeof obj.metadata.generateName === 'string';
  const prepared = prepareForCreate(r.def, obj, r.info.namespace, new Date());
  recordUpdate(undefined, prepared, await writeContextFor(r));
  validateObject(r.def, prepared);
  // A generated name that happens to be taken is generated again, as the real server does.
  for (let attempt = 0; ; attempt++) {
    const name = prepared.metadata.name!;
    const key = objectKey(r.def, r.info.namespace, name);
    if (dryRun) {
      if (await r.services.store.get(key)) throw alreadyExists(resourceOf(r.def), name);
      sendJsonText(r.res, 201, objectBody(r.def, { object: prepared, json: JSON.stringify(prepared) }, out));
      return;
    }
    try {
      const record = await r.services.store.create(key, prepared);
      sendJsonText(r.res, 201, objectBody(r.def, record, out));
      return;
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'AlreadyExists')) throw err;
      if (!generated || attempt >= 7) throw alreadyExists(resourceOf(r.def), name);
      prepared.metadata.name = generatedName(prepared.metadata.generateName as string);
    }
  }
}
