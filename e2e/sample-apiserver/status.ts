// Kubernetes Status errors (meta/v1 Status), with the messages kube-apiserver uses.
import { GROUP, KIND, QUALIFIED_RESOURCE, RESOURCE } from './types.js';

// The wire types are kage's own (type-only: nothing of kage's server code runs in the sample).
import type { Status, StatusDetails } from '../../server/api/types.js';
export type { Status, StatusCause, StatusDetails } from '../../server/api/types.js';

/** An error that becomes a Status response. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    /** Extra response headers (e.g. Connection: close). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toStatus(): Status {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }
}

/** A Failure Status with fields in the order kube-apiserver writes them. */
export function failureStatus(code: number, reason: string, message: string, details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason } as Status;
  if (details !== undefined) status.details = details;
  status.code = code;
  return status;
}

function resourceDetails(name: string): StatusDetails {
  return { name, group: GROUP, kind: RESOURCE };
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export function notFound(name: string): ApiError {
  return new ApiError(404, 'NotFound', `${QUALIFIED_RESOURCE} "${name}" not found`, resourceDetails(name));
}

export function resourceNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${QUALIFIED_RESOURCE} "${name}" already exists`, resourceDetails(name));
}

export function conflict(name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${QUALIFIED_RESOURCE} "${name}": ${why}`, resourceDetails(name));
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

export function notAcceptable(): ApiError {
  return new ApiError(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
}

export function unsupportedMediaType(accepted: readonly string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export interface FieldError {
  field: string;
  /** e.g. FieldValueInvalid, FieldValueRequired, FieldValueNotSupported */
  type: string;
  /** The cause message, e.g. `Invalid value: "X": ...`. */
  message: string;
}

/** 422 Invalid, listing every field error like field.ErrorList.ToAggregate() does. */
export function invalid(name: string, errors: FieldError[]): ApiError {
  const parts = errors.map((e) => `${e.field}: ${e.message}`);
  const summary = parts.length === 1 ? parts[0]! : `[${parts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${KIND}.${GROUP} "${name}" is invalid: ${summary}`, {
    name,
    group: GROUP,
    kind: KIND,
    causes: errors.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}
