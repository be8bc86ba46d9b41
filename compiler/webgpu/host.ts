/// <reference types="@webgpu/types" />
// The Deno side of kiln's webgpu backend: one long-lived process per Node process,
// reading request frames on stdin (protocol.ts) and answering on stdout. It loads models
// with runtime/webgpu, exactly as an artifact's user would, on Deno's WebGPU (wgpu + naga;
// on a machine without a GPU, Mesa's lavapipe). Run by bridge.ts as
// `deno run --sloppy-imports host.ts` (kiln's TypeScript imports say `.js`).
import { loadModel, type Model } from '../../runtime/webgpu/index.js';
import type { WebGpuManifest } from '../../runtime/webgpu/manifest.js';
import { encodeFrame, FrameReader, splitBlobs, type Reply, type Request } from './protocol.js';

interface DenoLike {
  readonly stdin: { readonly readable: ReadableStream<Uint8Array> };
  readonly stdout: { readonly writable: WritableStream<Uint8Array> };
  exit(code: number): never;
}
declare const Deno: DenoLike;

const writer = Deno.stdout.writable.getWriter();
let writing: Promise<void> = Promise.resolve();
const reply = (r: Reply, blobs: readonly Uint8Array[] = []): void => {
  const frame = encodeFrame(r, blobs);
  writing = writing.then(() => writer.write(frame));
};

let devicePromise: Promise<{ device: GPUDevice; adapter: string }> | undefined;
const device = () => (devicePromise ??= (async () => {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() found no adapter');
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  // A lost device is not coming back: the next request gets a fresh one.
  void device.lost.then(() => { devicePromise = undefined; });
  const info = (adapter as GPUAdapter & { info?: { description?: string; vendor?: string } }).info;
  return { device, adapter: info?.description || info?.vendor || 'unknown adapter' };
})());

const models = new Map<number, Model>();
let nextModel = 1;

async function handle(req: Request, payload: Uint8Array): Promise<void> {
  try {
    switch (req.op) {
      case 'probe': return reply({ id: req.id, ok: true, adapter: (await device()).adapter });
      case 'load': {
        const { device: d } = await device();
        const manifest = req.manifest as WebGpuManifest;
        const model = await loadModel(d, manifest, { shader: req.shaders, weights: payload.byteLength ? payload : undefined });
        const id = nextModel++;
        models.set(id, model);
        return reply({ id: req.id, ok: true, model: id });
      }
      case 'run': {
        const model = models.get(req.model);
        if (!model) throw new Error(`no model ${req.model}`);
        const out = await model.run(splitBlobs(payload, req.inputs));
        const blobs = model.manifest.outputs.map((t) => { const a = out[t.name]; return new Uint8Array(a.buffer, a.byteOffset, a.byteLength); });
        return reply({ id: req.id, ok: true, outputs: blobs.map((b) => b.byteLength) }, blobs);
      }
      case 'validate': {
        const { device: d } = await device();
        const messages: Record<string, string[]> = {};
        for (const [file, code] of Object.entries(req.shaders)) {
          d.pushErrorScope('validation');
          const info = await d.createShaderModule({ label: file, code }).getCompilationInfo();
          const err = await d.popErrorScope();
          messages[file] = [...info.messages.map((m) => `${m.type} ${m.lineNum}:${m.linePos}: ${m.message}`), ...(err ? [`error: ${err.message}`] : [])];
        }
        return reply({ id: req.id, ok: true, messages });
      }
      case 'dispose':
        models.get(req.model)?.dispose();
        models.delete(req.model);
        return reply({ id: req.id, ok: true });
    }
  } catch (e) {
    reply({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
}

const frames = new FrameReader<Request>();
for await (const chunk of Deno.stdin.readable) for (const f of frames.push(chunk)) void handle(f.header, f.payload);
await writing;
Deno.exit(0);
