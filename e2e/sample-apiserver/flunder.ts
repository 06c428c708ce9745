// Decoding, defaulting and validating Flunder objects, and writing them in the real server's field order.
//
// Decoding keeps only the fields the Go types know (like json.Unmarshal into the typed struct) and reports the
// unknown ones, so the caller can apply ?fieldValidation=Strict|Warn|Ignore.
import { randomBytes } from 'node:crypto';
import { badRequest, invalid } from './status.js';
import type { FieldError } from './status.js';
import { GROUP_VERSION, KIND, OBJECT_META_FIELDS, REFERENCE_TYPES, VERSION } from './types.js';
import type { Flunder, FlunderSpec, ObjectMeta } from './types.js';

export interface Decoded {
  obj: Flunder;
  /** Paths of fields the types do not know, e.g. `spec.colour`. */
  unknownFields: string[];
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

function typeError(v: unknown, field: string, goType: string): never {
  throw badRequest(
    `${KIND} in version "${VERSION}" cannot be handled as a ${KIND}: json: cannot unmarshal ${jsonType(v)} into Go struct field ${field} of type ${goType}`,
  );
}

function str(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') typeError(v, field, 'string');
  return v;
}

function stringMap(v: unknown, field: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) typeError(v, field, 'map[string]string');
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') typeError(val, field, 'string');
    out[k] = val;
  }
  return out;
}

function array(v: unknown, field: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) typeError(v, field, 'array');
  return v;
}

function decodeMeta(raw: unknown, unknown: string[]): ObjectMeta {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) typeError(raw, 'Flunder.metadata', 'v1.ObjectMeta');
  const m: ObjectMeta = {};
  const known = new Set<string>(OBJECT_META_FIELDS);
  for (const k of Object.keys(raw)) if (!known.has(k)) unknown.push(`metadata.${k}`);
  const s = (f: 'name' | 'generateName' | 'namespace' | 'selfLink' | 'uid' | 'resourceVersion' | 'deletionTimestamp'): void => {
    const v = str(raw[f], `Flunder.metadata.${f}`);
    if (v !== undefined && v !== '') m[f] = v;
  };
  s('name');
  s('generateName');
  s('namespace');
  s('selfLink');
  s('uid');
  s('resourceVersion');
  if (raw['generation'] !== undefined && raw['generation'] !== null) {
    if (typeof raw['generation'] !== 'number' || !Number.isInteger(raw['generation'])) typeError(raw['generation'], 'Flunder.metadata.generation', 'int64');
    if (raw['generation'] !== 0) m.generation = raw['generation'];
  }
  const created = str(raw['creationTimestamp'], 'Flunder.metadata.creationTimestamp');
  if (created !== undefined) m.creationTimestamp = created;
  s('deletionTimestamp');
  if (raw['deletionGracePeriodSeconds'] !== undefined && raw['deletionGracePeriodSeconds'] !== null) {
    if (typeof raw['deletionGracePeriodSeconds'] !== 'number') typeError(raw['deletionGracePeriodSeconds'], 'Flunder.metadata.deletionGracePeriodSeconds', 'int64');
    m.deletionGracePeriodSeconds = raw['deletionGracePeriodSeconds'];
  }
  const labels = stringMap(raw['labels'], 'Flunder.metadata.labels');
  if (labels && Object.keys(labels).length > 0) m.labels = labels;
  const annotations = stringMap(raw['annotations'], 'Flunder.metadata.annotations');
  if (annotations && Object.keys(annotations).length > 0) m.annotations = annotations;
  const owners = array(raw['ownerReferences'], 'Flunder.metadata.ownerReferences');
  if (owners && owners.length > 0) m.ownerReferences = owners;
  const finalizers = array(raw['finalizers'], 'Flunder.metadata.finalizers');
  if (finalizers && finalizers.length > 0) {
    for (const f of finalizers) if (typeof f !== 'string') typeError(f, 'Flunder.metadata.finalizers', 'string');
    m.finalizers = finalizers as string[];
  }
  const managed = array(raw['managedFields'], 'Flunder.metadata.managedFields');
  if (managed && managed.length > 0) m.managedFields = managed;
  return m;
}

function decodeSpec(raw: unknown, unknown: string[]): FlunderSpec {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) typeError(raw, 'Flunder.spec', 'v1alpha1.FlunderSpec');
  for (const k of Object.keys(raw)) if (k !== 'reference' && k !== 'referenceType') unknown.push(`spec.${k}`);
  const spec: FlunderSpec = {};
  const reference = str(raw['reference'], 'FlunderSpec.spec.reference');
  if (reference !== undefined && reference !== '') spec.reference = reference;
  const referenceType = str(raw['referenceType'], 'FlunderSpec.spec.referenceType');
  if (referenceType !== undefined && referenceType !== '') spec.referenceType = referenceType;
  return spec;
}

/** Decodes a request body into a Flunder. Wrong kind/apiVersion or wrongly typed fields are 400s. */
export function decodeFlunder(raw: unknown): Decoded {
  if (!isObject(raw)) throw badRequest('the object provided is unrecognized or malformed: expected a JSON object');
  const unknownFields: string[] = [];
  for (const k of Object.keys(raw)) {
    if (!['kind', 'apiVersion', 'metadata', 'spec', 'status'].includes(k)) unknownFields.push(k);
  }
  const apiVersion = str(raw['apiVersion'], 'Flunder.apiVersion');
  const kind = str(raw['kind'], 'Flunder.kind');
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== GROUP_VERSION) {
    throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${GROUP_VERSION})`);
  }
  if (kind !== undefined && kind !== '' && kind !== KIND) {
    throw badRequest(`the kind in the data (${kind}) does not match the expected kind (${KIND})`);
  }
  const metadata = decodeMeta(raw['metadata'], unknownFields);
  const spec = decodeSpec(raw['spec'], unknownFields);
  const status = raw['status'];
  if (status !== undefined && status !== null) {
    if (!isObject(status)) typeError(status, 'Flunder.status', 'v1alpha1.FlunderStatus');
    for (const k of Object.keys(status)) unknownFields.push(`status.${k}`);
  }
  return { obj: { kind: KIND, apiVersion: GROUP_VERSION, metadata, spec, status: {} }, unknownFields };
}

/** Defaulting of v1alpha1: a reference without a type refers to a Flunder. */
export function applyDefaults(obj: Flunder): void {
  if (obj.spec.reference !== undefined && obj.spec.referenceType === undefined) obj.spec.referenceType = 'Flunder';
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The problems with a DNS-1123 subdomain, as validation messages (empty when valid). */
export function subdomainProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > 253) out.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(value)) out.push(SUBDOMAIN_MESSAGE);
  return out;
}

function quoted(v: string): string {
  return JSON.stringify(v);
}

function labelKeyProblems(k: string): string[] {
  const slash = k.indexOf('/');
  const [prefix, name] = slash >= 0 ? [k.slice(0, slash), k.slice(slash + 1)] : [undefined, k];
  const out: string[] = [];
  if (prefix !== undefined) {
    if (prefix === '') out.push('prefix part must be non-empty');
    else for (const p of subdomainProblems(prefix)) out.push(`prefix part ${p}`);
  }
  if (name === '') out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  if (name !== '' && !QUALIFIED_NAME_PART.test(name)) {
    out.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return out;
}

/** 422 Invalid when the object is not acceptable (name, labels, referenceType). `old` is given for updates. */
export function validateFlunder(obj: Flunder, old?: Flunder): void {
  const errors: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  if (name === '') {
    errors.push({ field: 'metadata.name', type: 'FieldValueRequired', message: 'Required value: name or generateName is required' });
  } else {
    for (const p of subdomainProblems(name)) errors.push({ field: 'metadata.name', type: 'FieldValueInvalid', message: `Invalid value: ${quoted(name)}: ${p}` });
  }
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    for (const p of labelKeyProblems(k)) errors.push({ field: 'metadata.labels', type: 'FieldValueInvalid', message: `Invalid value: ${quoted(k)}: ${p}` });
    if (v.length > 63) errors.push({ field: 'metadata.labels', type: 'FieldValueInvalid', message: `Invalid value: ${quoted(v)}: must be no more than 63 characters` });
    if (!LABEL_VALUE.test(v)) {
      errors.push({
        field: 'metadata.labels',
        type: 'FieldValueInvalid',
        message: `Invalid value: ${quoted(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      });
    }
  }
  for (const k of Object.keys(obj.metadata.annotations ?? {})) {
    for (const p of labelKeyProblems(k.toLowerCase())) errors.push({ field: 'metadata.annotations', type: 'FieldValueInvalid', message: `Invalid value: ${quoted(k)}: ${p}` });
  }
  const rt = obj.spec.referenceType;
  if (rt !== undefined && !REFERENCE_TYPES.includes(rt)) {
    errors.push({
      field: 'spec.referenceType',
      type: 'FieldValueNotSupported',
      message: `Unsupported value: ${quoted(rt)}: supported values: ${REFERENCE_TYPES.map(quoted).join(', ')}`,
    });
  }
  if (old) {
    if (obj.metadata.uid !== undefined && obj.metadata.uid !== old.metadata.uid) {
      errors.push({ field: 'metadata.uid', type: 'FieldValueInvalid', message: `Invalid value: ${quoted(obj.metadata.uid)}: field is immutable` });
    }
  }
  if (errors.length > 0) throw invalid(name, errors);
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName + 5 random characters, the base cut to keep the name within 63 characters. */
export function generateName(base: string): string {
  const bytes = randomBytes(5);
  let suffix = '';
  for (const b of bytes) suffix += GENERATE_ALPHABET[b % GENERATE_ALPHABET.length];
  return `${base.slice(0, 58)}${suffix}`;
}

/** `2006-01-02T15:04:05Z` (seconds precision, UTC), the metav1.Time wire format. */
export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The object with its fields in the real server's order (kind, apiVersion, metadata, spec, status). */
export function ordered(obj: Flunder): Flunder {
  const metadata: ObjectMeta = {};
  for (const f of OBJECT_META_FIELDS) {
    if (obj.metadata[f] !== undefined) (metadata as Record<string, unknown>)[f] = obj.metadata[f];
  }
  const spec: FlunderSpec = {};
  if (obj.spec.reference !== undefined) spec.reference = obj.spec.reference;
  if (obj.spec.referenceType !== undefined) spec.referenceType = obj.spec.referenceType;
  return { kind: KIND, apiVersion: GROUP_VERSION, metadata, spec, status: {} };
}

/** A list item as the real server writes it: without kind and apiVersion. */
export function listItem(obj: Flunder): Omit<Flunder, 'kind' | 'apiVersion'> {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = ordered(obj);
  return rest;
}
