// The options every write shares for field management: the manager of a request (fieldManager, else the
// User-Agent), fieldManager/force validated as the real server validates Create/Update/PatchOptions, and
// the WriteContext that recording a write in managedFields needs.
import { StatusError, badRequest } from '../api/errors.js';
import type { Status, StatusCause } from '../api/types.js';
import { groupVersionString } from '../registry/types.js';
import type { RestRequest } from '../rest/context.js';
import { hasStatusSubresource } from '../rest/strategy.js';
import { isPrintable, managerOf, type WriteContext } from './managed-fields.js';

/** The manager of a write: the fieldManager parameter, else derived from the User-Agent. */
export function managerOfRequest(r: RestRequest): string {
  return managerOf(r.query.get('fieldManager'), r.req.headers['user-agent']);
}

const FIELD_MANAGER_MAX_LENGTH = 128;

function optionsInvalid(options: string, causes: StatusCause[]): StatusError {
  const list = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const message = `${options}.meta.k8s.io "" is invalid: ${causes.length > 1 ? `[${list}]` : list}`;
  const status: Status = {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Invalid',
    details: { group: 'meta.k8s.io', kind: options, causes }, code: 422,
  };
  return new StatusError(status);
}

const BOOL_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const BOOL_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * Validates fieldManager (and, for PATCH, force) as the real server validates Create/Update/PatchOptions:
 * 422 Invalid naming the option. Returns the force flag.
 */
export function validateWriteOptions(q: URLSearchParams, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions', apply = false): { force: boolean } {
  const causes: StatusCause[] = [];
  const fieldManager = q.get('fieldManager') ?? '';
  let force = false;
  // force is a PatchOptions field: other writes ignore it, as unknown parameters.
  const forceParam = options === 'PatchOptions' ? q.get('force') : null;
  if (forceParam !== null && forceParam !== '') {
    if (BOOL_TRUE.has(forceParam)) force = true;
    else if (!BOOL_FALSE.has(forceParam)) throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(forceParam)}: invalid syntax`);
  }
  if (options === 'PatchOptions') {
    if (!apply && forceParam !== null && forceParam !== '') {
      causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' });
    } else if (apply && fieldManager === '') {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' });
    }
  }
  if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH) {
    causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`, field: 'fieldManager' });
  }
  let i = 0;
  for (const ch of fieldManager) {
    if (!isPrintable(ch)) {
      const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(fieldManager)}: invalid character ${code} (at position ${i})`,
        field: 'fieldManager',
      });
    }
    i += Buffer.byteLength(ch);
  }
  if (causes.length > 0) throw optionsInvalid(options, causes);
  return { force };
}

/** What recording a write in managedFields needs, for this request. */
export async function writeContextFor(r: RestRequest, manager = managerOfRequest(r)): Promise<WriteContext> {
  const schema = await r.def.schema();
  return {
    schema, apiVersion: groupVersionString(r.def), subresource: r.info.subresource, statusSubresource: hasStatusSubresource(r.def), manager,
  };
}
