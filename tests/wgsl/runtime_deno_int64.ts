/// <reference types="@webgpu/types" />
// Run by runtime.test.ts in Deno: loads the artifact in the JSON file named by the first
// argument with runtime/webgpu, runs it on a BigInt64Array input `x` and prints its output
// `y` (a BigUint64Array) as decimal strings, as JSON.
import { loadModel } from '../../runtime/webgpu/index.js';
import type { WebGpuManifest } from '../../runtime/webgpu/manifest.js';

declare const Deno: { readonly args: readonly string[]; readTextFileSync(path: string): string };

const { manifest, shaders } = JSON.parse(Deno.readTextFileSync(Deno.args[0])) as { manifest: WebGpuManifest; shaders: Record<string, string> };
const device = await (await navigator.gpu.requestAdapter())!.requestDevice();
const model = await loadModel(device, manifest, { shader: (file) => shaders[file] });
const x = new BigInt64Array([-(2n ** 63n), -1n, 0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, 4294967296n, -4294967297n]);
const y = (await model.run({ x })).y;
console.log(JSON.stringify({ kind: y.constructor.name, y: Array.from(y as BigUint64Array, String) }));
model.dispose();
