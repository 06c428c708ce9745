// Status errors: every failure kage answers is one of these, thrown and turned into a Status body.
import type { Status, StatusCause } from './types.js';

/** An error that carries the Kubernetes Status it should be answered with. */
export class StatusError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message ?? status.reason ?? 'error');
    this.status = status;
  }
  get code(): number {
    return this.status.code;
  }
}

/** The resource part of messages: "configmaps" for core, "deployments.apps" otherwise. */
export interface QualifiedResource {
  group: string;
  resource: string;
}

export function qualified(r: QualifiedResource): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

function failure(code: number, reason: string, message: string, details?: Status['details']): StatusError {
  // Field order as the real server writes it: details before code.
  const status: Status = details
    ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code }
    : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  return new StatusError(status);
}

function detailsFor(r: QualifiedResource, name: string | undefined): Status['details'] {
  const d: NonNullable<Status['details']> = {};
  if (name !== undefined) d.name = name;
  if (r.group) d.group = r.group;
  d.kind = r.resource;
  return d;
}

export function notFound(r: QualifiedResource, name: string): StatusError {
  return failure(404, 'NotFound', `${qualified(r)} "${name}" not found`, detailsFor(r, name));
}

export function alreadyExists(r: QualifiedResource, name: string): StatusError {
  return failure(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, detailsFor(r, name));
}

export const CONFLICT_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(r: QualifiedResource, name: string, why: string = CONFLICT_MESSAGE): StatusError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, detailsFor(r, name));
}

/** 422 Invalid: kind is the object's Kind ("ConfigMap"), causes name the fields. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): StatusError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message ?? c.reason ?? ''}` : c.message ?? '')).join(', ');
  const message = `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${causes.length > 1 ? `[${list}]` : list}`;
  const details: NonNullable<Status['details']> = { name, kind, causes };
  if (group) details.group = group;
  return failure(422, 'Invalid', message, details);
}

export function badRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

export function unauthorized(message = 'Unauthorized'): StatusError {
  return failure(401, 'Unauthorized', message);
}

export function forbidden(message: string): StatusError {
  return failure(403, 'Forbidden', message);
}

export function methodNotAllowed(message: string): StatusError {
  return failure(405, 'MethodNotAllowed', message, {});
}

export function notAcceptable(message: string): StatusError {
  return failure(406, 'NotAcceptable', message);
}

export function unsupportedMediaType(message: string): StatusError {
  return failure(415, 'UnsupportedMediaType', message);
}

export function requestEntityTooLarge(message: string): StatusError {
  return failure(413, 'RequestEntityTooLarge', message);
}

/** 410 Expired: a resourceVersion or continue token older than what is kept. */
export function expired(message: string): StatusError {
  return failure(410, 'Expired', message);
}

/** 410 Gone: a watch asked for a revision that was compacted away. */
export function gone(message: string): StatusError {
  return failure(410, 'Gone', message);
}

export function internalError(message: string): StatusError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function serviceUnavailable(message: string): StatusError {
  return failure(503, 'ServiceUnavailable', message);
}

export function timeout(message: string): StatusError {
  return failure(504, 'Timeout', message);
}

/** Turn anything thrown into a Status; unknown errors become 500 InternalError. */
export function toStatus(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  const msg = err instanceof Error ? err.message : String(err);
  return internalError(msg).status;
}

/** The same error with details set (kept in the real server's field order). */
export function withDetails(err: StatusError, details: NonNullable<Status['details']>): StatusError {
  const { kind, apiVersion, metadata, status, message, reason, code } = err.status;
  return new StatusError({ kind, apiVersion, metadata, status, message, reason, details, code });
}
