// Small HTTP helpers: writing JSON/text/Status responses and reading bounded request bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, tooLarge } from './status.js';

/** Request bodies above this are refused with 413 (kube-apiserver's limit is 3 MiB as well). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, code, JSON.stringify(body), { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...headers });
}

export function sendText(res: ServerResponse, code: number, text: string, headers: Record<string, string> = {}): void {
  sendRaw(res, code, text, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers });
}

export function sendRaw(res: ServerResponse, code: number, body: string | Buffer, headers: Record<string, string>): void {
  if (res.headersSent || res.writableEnded || res.destroyed) {
    if (!res.writableEnded) res.end();
    return;
  }
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.statusCode = code;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Length', String(data.length));
  res.end(data);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.code, err.toStatus(), err.headers);
}

/** The media type of a Content-Type header, lowercased, without parameters ('' when absent). */
export function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A body beyond the limit is read and thrown away up to this many bytes (so the client sees the 413), then cut. */
const DRAIN_LIMIT_BYTES = 8 * MAX_BODY_BYTES;

function drain(req: IncomingMessage, alreadyRead: number): void {
  let drained = alreadyRead;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) req.socket.destroy();
  });
  req.resume();
}

/**
 * Reads the whole body, refusing more than `limit` bytes with 413. The rest of an oversized body is drained (up to a
 * bound) so the client can read the answer; a body declared far too large gets the 413 and the connection closed.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    if (declared > DRAIN_LIMIT_BYTES) {
      const err = tooLarge(limit);
      err.headers['Connection'] = 'close';
      return Promise.reject(err);
    }
    drain(req, 0);
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: unknown): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        finish(tooLarge(limit));
        drain(req, size);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    const onError = (err: Error): void => finish(badRequest(`error reading the request body: ${err.message}`));
    const onAborted = (): void => finish(badRequest('the request was aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** Parses a JSON body; malformed JSON is a 400 the way kube-apiserver words decoding errors. */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('Object \'Kind\' is missing in \'\'');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the object provided is unrecognized or malformed: ${(err as Error).message}`);
  }
}

/** The first value of a query parameter, or undefined. */
export function queryValue(query: URLSearchParams, name: string): string | undefined {
  const v = query.get(name);
  return v === null ? undefined : v;
}

export function isTrue(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1';
}
