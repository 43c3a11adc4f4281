// A loopback https server for client ID metadata documents, which must be https URLs. Its
// certificate for 127.0.0.1 is made here with the openssl CLI and handed to the service as
// the extra trusted CA of the development-only configuration.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  cert: string;
  key: string;
}

export function makeCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'todos-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface DocumentServer {
  origin: string;
  /** Serves `document` as JSON at `path` and returns its URL. */
  publish(path: string, document: (url: string) => unknown): string;
  /** Serves anything at `path` and returns its URL. */
  handle(path: string, handler: Handler): string;
  /** How many requests `path` received. */
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startDocumentServer(certificate: TestCertificate): Promise<DocumentServer> {
  const handlers = new Map<string, Handler>();
  const counts = new Map<string, number>();
  const server = createServer(certificate, (req, res) => {
    const path = req.url ?? '/';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const handler = handlers.get(path);
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const handle = (path: string, handler: Handler) => {
    handlers.set(path, handler);
    return `${origin}${path}`;
  };
  return {
    origin,
    handle,
    publish: (path, document) =>
      handle(path, (_req, res) => {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(document(`${origin}${path}`)));
      }),
    hits: (path) => counts.get(path) ?? 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
