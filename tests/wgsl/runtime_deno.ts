/// <reference types="@webgpu/types" />
// Run by runtime.test.ts in Deno (the runtime needs a GPUDevice, which Node has not): loads
// the artifact in the JSON file named by the first argument with runtime/webgpu and prints
// what each way of running it gave, as JSON, for the test to check.
import { loadModel } from '../../runtime/webgpu/index.js';
import type { WebGpuManifest } from '../../runtime/webgpu/manifest.js';

declare const Deno: { readonly args: readonly string[]; readTextFileSync(path: string): string };

const { manifest, shaders } = JSON.parse(Deno.readTextFileSync(Deno.args[0])) as { manifest: WebGpuManifest; shaders: Record<string, string> };
const adapter = await navigator.gpu.requestAdapter();
const device = await adapter!.requestDevice();
const out: Record<string, unknown> = {};
const error = async (f: () => Promise<unknown>): Promise<string> => f().then(() => 'no error', (e: Error) => e.message);

const model = await loadModel(device, manifest, { shader: (file) => shaders[file] });
const x = new Float32Array([1, -2, 3, -4, 5, -6, 7, -8]);
out.byName = Array.from((await model.run({ x })).y as Float32Array);
out.byPosition = Array.from((await model.run([x])).y as Float32Array);

// GPUBuffers in and out.
const input = device.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
device.queue.writeBuffer(input, 0, x);
const gpu = await model.run([input], { gpu: true });
const staging = device.createBuffer({ size: gpu.y.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
const enc = device.createCommandEncoder();
enc.copyBufferToBuffer(gpu.y, 0, staging, 0, gpu.y.size);
device.queue.submit([enc.finish()]);
await staging.mapAsync(GPUMapMode.READ);
out.gpuBuffers = Array.from(new Float32Array(staging.getMappedRange().slice(0)));

out.wrongSize = await error(() => model.run([new Float32Array(3)]));
out.missingInput = await error(() => model.run({}));
out.badShader = await error(() => loadModel(device, manifest, { shader: () => 'fn broken(' }));
out.badBinding = await error(() => loadModel(device, { ...manifest, shaders: manifest.shaders.map((s) => ({ ...s, bindings: [{ ...s.bindings[0], type: 'read-only-storage' as const }] })) },
  { shader: (file) => shaders[file] }));
out.badFeature = await error(() => loadModel(device, { ...manifest, features: ['no-such-feature'] }, { shader: (file) => shaders[file] }));
model.dispose();
out.disposed = await error(() => model.run([x]));
console.log(JSON.stringify(out));
