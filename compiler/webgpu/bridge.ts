// Node has no WebGPU: kiln's webgpu backend drives runtime/webgpu in one Deno child
// process (host.ts), shared by everything in this Node process (Deno starts in ~0.4 s;
// one per case would cost more than the cases). Requests and replies are frames
// (protocol.ts) matched by id. The child never keeps Node alive: it and its pipes are
// unref'd whenever no request is waiting, and it exits when its stdin closes.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFrame, FrameReader, type Reply, type Request } from './protocol.js';

/**
 * The Deno host script: beside this file when run from the sources, or in the sources the
 * package ships (compiler/webgpu/) when this file is bundled into dist/ for the CLI or into
 * dist/lib/ for the library.
 */
const HOST = ((): string => {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'host.ts'), join(here, '..', 'compiler', 'webgpu', 'host.ts'), join(here, '..', '..', 'compiler', 'webgpu', 'host.ts')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
})();

/** The deno binary: $KILN_DENO, else the npm package's (a devDependency). */
export function denoBinary(): string | undefined {
  if (process.env.KILN_DENO) return existsSync(process.env.KILN_DENO) ? process.env.KILN_DENO : undefined;
  try {
    const pkg = createRequire(import.meta.url).resolve('deno/package.json');
    const bin = join(dirname(pkg), process.platform === 'win32' ? 'deno.exe' : 'deno');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

type Pending = { resolve: (r: { reply: Reply; payload: Uint8Array }) => void; reject: (e: Error) => void };
type Unrefable = { ref?(): void; unref?(): void };

export class DenoBridge {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = '';
  private exited?: string;

  constructor(deno: string) {
    const env = { ...process.env };
    env.DENO_WEBGPU_BACKEND ??= 'vulkan';
    // wgpu's Vulkan loader wants a private runtime dir; a fresh 0700 one.
    env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'kiln-deno-'));
    env.DENO_NO_UPDATE_CHECK = '1';
    this.child = spawn(deno, ['run', '--quiet', '--sloppy-imports', '--no-lock', '--no-config', '--allow-env', HOST], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const frames = new FrameReader<Reply>();
    this.child.stdout.on('data', (chunk: Buffer) => {
      for (const f of frames.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        const p = this.pending.get(f.header.id);
        this.pending.delete(f.header.id);
        p?.resolve({ reply: f.header, payload: f.payload });
      }
      this.idle();
    });
    this.child.stderr.on('data', (chunk: Buffer) => { this.stderr = (this.stderr + chunk.toString()).slice(-4000); });
    this.child.stdin.on('error', () => {}); // a dead child: reported by 'exit'
    this.child.on('error', (e) => this.fail(`cannot start ${deno}: ${e.message}`));
    this.child.on('exit', (code, signal) => this.fail(`the Deno WebGPU host exited (${signal ?? `code ${code}`})${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
    this.idle();
  }

  /** Sends a request; resolves with the reply (an `ok: false` reply rejects with its error). */
  request(req: Request, blobs: readonly Uint8Array[] = []): Promise<{ reply: Reply & { ok: true }; payload: Uint8Array }> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise<{ reply: Reply; payload: Uint8Array }>((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      this.busy();
      this.child.stdin.write(encodeFrame(req, blobs));
    }).then((r) => {
      if (!r.reply.ok) throw new Error(r.reply.error);
      return r as { reply: Reply & { ok: true }; payload: Uint8Array };
    });
  }

  /** Why the child is gone, once it is. */
  exitedWith(): string | undefined {
    return this.exited;
  }

  id(): number {
    return this.nextId++;
  }

  private fail(msg: string): void {
    this.exited ??= msg;
    for (const p of this.pending.values()) p.reject(new Error(msg));
    this.pending.clear();
  }

  private busy(): void {
    this.child.ref();
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdin]) (s as Unrefable).ref?.();
  }

  private idle(): void {
    if (this.pending.size > 0) return;
    this.child.unref();
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdin]) (s as Unrefable).unref?.();
  }
}

let shared: DenoBridge | undefined;

/**
 * The one Deno child of this process, started on first use, and again after one exited
 * (a crash loses the models loaded there, whose runs then reject with its exit message).
 */
export function bridge(): DenoBridge {
  const deno = denoBinary();
  if (!deno) throw new Error('no deno binary (npm install the deno devDependency, or set KILN_DENO)');
  if (!shared || shared.exitedWith() !== undefined) shared = new DenoBridge(deno);
  return shared;
}
