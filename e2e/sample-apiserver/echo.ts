// WebSocket echo at /apis/wardle.example.com/v1alpha1/namespaces/<ns>/flunders/<name>/echo: every message comes
// back unchanged (text stays text, binary stays binary). The flunder need not exist. The first subprotocol a client
// offers is accepted. Authentication happens before (server.ts), on the upgrade request, like any other request.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

export class EchoServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 3 * 1024 * 1024 });

  /** Completes the WebSocket handshake on an (already authenticated) upgrade request and starts echoing. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('message', (data, isBinary) => {
        ws.send(data, { binary: isBinary });
      });
      ws.on('error', () => ws.terminate());
    });
  }

  /** Drops every open WebSocket (shutdown). */
  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}

/** True for an upgrade request asking for a WebSocket. */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  return upgrade.split(',').some((p) => p.trim() === 'websocket');
}
