// The handler chain, in the order DESIGN.md gives: recovery and log, request info, authentication,
// authorization, (aggregator), discovery, REST. Each step is a small function; express strings them together.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { unauthorized, StatusError } from './api/errors.js';
import { authenticate, type TokenAuthenticator, type UserInfo } from './auth/authenticate.js';
import { serveHealth, type HealthCheck } from './health.js';
import { isLongRunning, requestDeadlineMs } from './http/request-deadline.js';
import { parseRequestInfo, type RequestInfo } from './http/request-info.js';
import { sendError, sendJson } from './http/respond.js';
import { pathNotFound, serveResource } from './rest/handler.js';
import type { RestServices } from './rest/context.js';

/** Something that may answer a request early (discovery, later the aggregator); true = answered. */
export type EarlyHandler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => boolean | Promise<boolean>;

export interface RequestContext {
  info: RequestInfo;
  query: URLSearchParams;
  path: string;
  user?: UserInfo;
}

export interface AppDeps {
  rest: RestServices;
  tokens: TokenAuthenticator;
  health: HealthCheck[];
  version: () => unknown;
  /** Handlers consulted after authentication and before REST, in order (aggregator, discovery). */
  early: EarlyHandler[];
  log?: (line: string) => void;
}

// Paths anyone may read, as the system:public-info-viewer role allows on a real cluster.
const PUBLIC_PATHS = /^\/(healthz|livez|readyz|version)(\/|$)/;

const contexts = new WeakMap<IncomingMessage, RequestContext>();

/** The parsed request of a request that went through the chain. */
export function requestContext(req: IncomingMessage): RequestContext | undefined {
  return contexts.get(req);
}

/** A request's context; the query string is parsed only when someone reads it (proxied requests never do). */
class ParsedRequest implements RequestContext {
  user?: UserInfo;
  private parsed: URLSearchParams | undefined;

  constructor(readonly info: RequestInfo, readonly path: string, private readonly rawQuery: string) {}

  get query(): URLSearchParams {
    this.parsed ??= new URLSearchParams(this.rawQuery);
    return this.parsed;
  }
}

/** Step 1 of the chain as a plain function: the parsed request (and the request log hook). */
function parseContext(req: IncomingMessage, res: ServerResponse, deps: AppDeps): RequestContext {
  const raw = req.url || '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const rawQuery = q < 0 ? '' : raw.slice(q + 1);
  const watch = rawQuery.includes('watch') || rawQuery.includes('%') ? new URLSearchParams(rawQuery).get('watch') : null;
  const info = parseRequestInfo(req.method ?? 'GET', path, watch === 'true' || watch === '1');
  if (deps.log) {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      deps.log?.(`${req.method} ${raw} ${res.statusCode} ${ms.toFixed(1)}ms`);
    });
  }
  return new ParsedRequest(info, path, rawQuery);
}

/** A handler that may take a request before express sees it, when `claims` says it is its own. */
export interface FastPath {
  claims(info: RequestInfo): boolean;
  handle: EarlyHandler;
}

/**
 * The server's request listener: requests a fast path claims (the aggregator's proxied groups) need only request
 * info and authentication, so they skip the express chain; everything else goes through the app.
 */
export function createListener(app: express.Express, deps: AppDeps, fast: FastPath): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!req.url?.startsWith('/apis/')) {
      app(req, res);
      return;
    }
    const ctx = parseContext(req, res, deps);
    // Only requests that go on to express need their context found again.
    const toApp = (): void => {
      contexts.set(req, ctx);
      app(req, res);
    };
    if (!fast.claims(ctx.info)) {
      toApp();
      return;
    }
    const user = authenticate(req, deps.tokens);
    if (!user) {
      sendError(res, unauthorized());
      return;
    }
    ctx.user = user;
    let answered: boolean | Promise<boolean>;
    try {
      answered = fast.handle(req, res, ctx);
    } catch (err) {
      sendError(res, err);
      return;
    }
    if (answered === true) return;
    if (answered === false) {
      toApp();
      return;
    }
    answered.then(
      (done) => { if (!done) toApp(); },
      (err: unknown) => sendError(res, err),
    );
  };
}

/** Builds the express app serving kage's API. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);

  // 1. Request info: what is asked, parsed once (the fast path below may have parsed it already).
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!contexts.has(req)) contexts.set(req, parseContext(req, res, deps));
    next();
  });

  // 2. Public endpoints: health and version need no credentials.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const ctx = contexts.get(req)!;
    if (!PUBLIC_PATHS.test(ctx.path)) return next();
    if (serveHealth(req, res, ctx.path, ctx.query, deps.health)) return;
    if (ctx.path === '/version' || ctx.path === '/version/') return sendJson(res, 200, deps.version());
    next();
  });

  // 3. Authentication (4. authorization: every authenticated user may do everything for now).
  app.use((req: Request, res: Response, next: NextFunction) => {
    const ctx = contexts.get(req)!;
    const user = authenticate(req, deps.tokens);
    if (!user) return sendError(res, unauthorized());
    ctx.user = user;
    next();
  });

  // Request deadline (WithRequestDeadline): a malformed ?timeout= is refused. Local handlers answer well within any
  // deadline; the aggregator's proxy enforces it on backends.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const ctx = contexts.get(req)!;
    if (!isLongRunning(ctx.info) && req.url.includes('timeout=')) {
      const deadline = requestDeadlineMs(ctx.query.get('timeout'));
      if (typeof deadline !== 'number') return sendError(res, deadline);
    }
    next();
  });

  // 5–6. Early handlers: the aggregator's proxy, then discovery.
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const ctx = contexts.get(req)!;
    for (const h of deps.early) {
      if (await h(req, res, ctx)) return;
    }
    next();
  });

  // 7. REST.
  app.use(async (req: Request, res: Response) => {
    const ctx = contexts.get(req)!;
    if (!ctx.info.isResourceRequest) throw pathNotFound();
    await serveResource(deps.rest, ctx.info, ctx.query, req, res, ctx.user);
  });

  // 1 (again). Recovery: anything thrown becomes a Status; nothing takes the process down.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (!(err instanceof StatusError)) {
      const e = err as { type?: string; status?: number };
      if (e && typeof e.status === 'number' && e.status < 500) {
        // Errors from express itself (e.g. a malformed URL) are client errors.
        return sendError(res, new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: String((err as Error).message), reason: 'BadRequest', code: 400 }));
      }
    }
    sendError(res, err);
  });
  return app;
}
