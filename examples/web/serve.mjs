// Serves the page on http://127.0.0.1 (a secure context, which WebGPU needs, without a
// certificate): `node examples/web/serve.mjs [PORT]` (default 8080; 0 picks a free one).
// GET only, files under this folder only. The test imports serve() and uses port 0.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.wasm': 'application/wasm', '.wgsl': 'text/wgsl; charset=utf-8', '.bin': 'application/octet-stream', '.png': 'image/png',
};

/** Starts the server on 127.0.0.1:`port`; resolves with its URL and close(). */
export async function serve(port = 8080, root = HERE) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile())
      return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}${path.startsWith('/out/') ? ' (run node examples/web/build.mjs)' : ''}`);
    const body = readFileSync(file);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await serve(Number(process.argv[2] ?? 8080));
  console.log(`kiln's web example on ${url}/ (Ctrl-C stops it)`);
}
