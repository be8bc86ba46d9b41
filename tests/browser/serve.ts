// Helpers for the browser tests: find Debian's chromium, serve a folder over HTTP on
// 127.0.0.1 with the headers that make a page cross-origin isolated (SharedArrayBuffer,
// shared WebAssembly.Memory and so Web Worker threads need it), and say which shaders
// Chromium's CPU WebGPU (SwiftShader) cannot make a pipeline of in reasonable time.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/** Debian's chromium (`apt-get install chromium`), or undefined when it is not installed. */
export function findChromium(): string | undefined {
  const given = process.env.KILN_CHROMIUM;
  if (given) return existsSync(given) ? given : undefined;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' });
  const found = r.status === 0 ? r.stdout.trim() : '';
  return found || undefined;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

/** The page the test opens: empty; the test drives it with page.evaluate. */
const INDEX = '<!doctype html><meta charset="utf-8"><title>kiln browser test</title><p>kiln</p>\n';

export interface Served {
  readonly url: string;
  /** Paths requested, in order. */
  readonly requests: string[];
  /** Paths answered 404. */
  readonly missing: string[];
  close(): Promise<void>;
}

/**
 * Serves `root` on 127.0.0.1 and a free port, GET only, everything with COOP/COEP; `/` is an
 * empty page, and `/open.html` the same page without COOP/COEP (not cross-origin isolated).
 */
export async function serve(root: string): Promise<Served> {
  const requests: string[] = [], missing: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204, headers).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.html'] }).end(INDEX);
      return;
    }
    if (path === '/open.html') {
      // The same page without COOP/COEP: not cross-origin isolated, so no SharedArrayBuffer.
      res.writeHead(200, { 'Cache-Control': 'no-store', 'Content-Type': TYPES['.html'] }).end(INDEX);
      return;
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      missing.push(path);
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    missing,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
