// --misbehave: broken discovery on purpose, to test how the aggregator copes with a bad backend.
//   hang-discovery        accept the connection and the request, never answer /apis, /apis/<group>, /apis/<group>/<version>
//   garbage-discovery     answer those with 200 and a body that is not JSON
//   slow-discovery=<ms>   answer them correctly, after the delay (also accepts Go durations: 500ms, 2s)
// Only discovery is affected; /healthz and friends, resources, /openapi and /whoami behave normally.
// Applied before authentication, so the misbehaviour does not depend on the caller's credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendRaw } from './http.js';

export type MisbehaveMode =
  | { kind: 'none' }
  | { kind: 'hang-discovery' }
  | { kind: 'garbage-discovery' }
  | { kind: 'slow-discovery'; delayMs: number };

/** A duration: a bare number of milliseconds, or Go-style units (1m30s, 250ms, 2s, 1h). */
export function parseDurationMs(text: string): number {
  const s = text.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let rest = s;
  let total = 0;
  if (rest === '') throw new Error('empty duration');
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!m) throw new Error(`invalid duration ${JSON.stringify(text)} (use e.g. 500, 500ms, 2s or 1m)`);
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

export function parseMisbehave(value: string): MisbehaveMode {
  const v = value.trim();
  if (v === '' || v === 'none') return { kind: 'none' };
  if (v === 'hang-discovery' || v === 'garbage-discovery') return { kind: v };
  const m = /^slow-discovery(?:=(.*))?$/.exec(v);
  if (m) {
    if (m[1] === undefined || m[1] === '') throw new Error('--misbehave slow-discovery needs a delay: slow-discovery=<ms>');
    return { kind: 'slow-discovery', delayMs: parseDurationMs(m[1]) };
  }
  throw new Error(`unknown --misbehave mode ${JSON.stringify(value)} (hang-discovery, garbage-discovery, slow-discovery=<ms>)`);
}

export function describeMisbehave(mode: MisbehaveMode): string {
  return mode.kind === 'slow-discovery' ? `slow-discovery=${mode.delayMs}ms` : mode.kind;
}

export class Misbehaviour {
  /** Requests left hanging, ended at shutdown. */
  private readonly hanging = new Set<ServerResponse>();

  constructor(readonly mode: MisbehaveMode) {}

  /**
   * Called for discovery requests before anything else. 'handled': the misbehaviour took the request over (hung or
   * answered it); 'continue': serve it normally (possibly after a delay).
   */
  async beforeDiscovery(req: IncomingMessage, res: ServerResponse): Promise<'handled' | 'continue'> {
    switch (this.mode.kind) {
      case 'none':
        return 'continue';
      case 'hang-discovery':
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        req.resume();
        return 'handled';
      case 'garbage-discovery':
        sendRaw(res, 200, '{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"wardle.example.com", <<<this is not JSON', {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-cache, private',
        });
        return 'handled';
      case 'slow-discovery': {
        const delay = this.mode.delayMs;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          res.on('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        return res.destroyed || res.writableEnded ? 'handled' : 'continue';
      }
    }
  }

  /** Drops the hanging requests (shutdown). */
  close(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }
}
