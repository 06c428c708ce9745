// Writing responses: JSON bodies, Status failures, and the headers every answer carries.
import type { ServerResponse } from 'node:http';
import { toStatus } from '../api/errors.js';
import type { Status } from '../api/types.js';

/** Writes a JSON body that is already a string. */
export function sendJsonText(res: ServerResponse, code: number, body: string, headers?: Record<string, string>): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = code;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

/** Serializes and writes a JSON body. */
export function sendJson(res: ServerResponse, code: number, body: unknown, headers?: Record<string, string>): void {
  sendJsonText(res, code, JSON.stringify(body), headers);
}

/** Writes the Status for any thrown error (500 for unknown ones). */
export function sendError(res: ServerResponse, err: unknown): void {
  const status: Status = toStatus(err);
  if (status.code >= 500 && status.reason === 'InternalError') {
    console.error('kage: internal error:', err instanceof Error ? (err.stack ?? err.message) : err);
  }
  if (res.headersSent) {
    // A stream already started (a watch): nothing sensible can be added; end it.
    res.end();
    return;
  }
  sendJson(res, status.code, status);
}
