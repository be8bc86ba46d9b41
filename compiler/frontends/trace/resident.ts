// Donated inputs on wasm: a jitted train step whose parameters and optimiser state stay in
// the step's own memory. The step is compiled with each donated input aliased to the
// output that replaces it (buffer assignment writes that output over the input's bytes).
// Its results that alias an input are left there: the tensors the call returns are views
// of the model's memory. Passed back as the same donated input, such a tensor is already in
// place and is neither written nor read; the call then consumes it (it was donated, so it
// can no longer be read). Any other view the next run would overwrite is copied out first.
import type { Model } from '../../../runtime/wasm/index.js';
import type { TypedArray } from '../../../runtime/core/dtype.js';
import { hostArray } from './host.js';
import type { DataNode, Node, Pending } from './node.js';

export class ResidentRunner {
  /** Runs one at a time: each reads and leaves state in the one memory. */
  private chain: Promise<unknown> = Promise.resolve();
  /** The nodes whose arrays are views of this model's memory (the last run's aliased outputs). */
  private live = new Set<DataNode>();

  /**
   * @param aliasOf  per output leaf, the input it is written over, or undefined
   * @param donated  input positions the caller donates
   */
  constructor(private readonly model: Model, private readonly aliasOf: readonly (number | undefined)[], private readonly donated: ReadonlySet<number>) {}

  /** Runs after every earlier run, once `ready` gives the inputs; settles `outs`. */
  run(ready: () => Promise<(Node | TypedArray)[]>, outs: readonly Pending[]): void {
    const step = this.chain.then(async () => this.runNow(await ready(), outs));
    step.catch((e) => outs.forEach((o) => o.fail(e)));
    this.chain = step.catch(() => undefined);
  }

  private async runNow(inputs: readonly (Node | TypedArray)[], outs: readonly Pending[]): Promise<void> {
    const { manifest } = this.model;
    const inPlace = new Set<number>();
    for (const n of this.live) {
      const at = inputs.indexOf(n);
      const home = (n.resident as { input: number } | undefined)?.input;
      if (at >= 0 && at === home && this.donated.has(at)) inPlace.add(at);
      else evict(n);
    }
    const writes: Record<string, TypedArray> = {};
    inputs.forEach((x, i) => {
      if (!inPlace.has(i)) writes[manifest.inputs[i].name] = ArrayBuffer.isView(x) ? x : hostArray(x)!;
    });
    await this.model.runStaged(writes);
    for (const i of inPlace) consume(inputs[i] as DataNode);
    this.live = new Set();
    outs.forEach((o, j) => {
      const input = this.aliasOf[j];
      if (input === undefined) return o.settle(this.model.view(manifest.outputs[j].name, 'output').slice());
      o.node.resident = { input };
      this.live.add(o.node);
      o.settle(this.model.view(manifest.inputs[input].name, 'input'));
    });
  }
}

/** A view about to be overwritten becomes a copy of its own. */
function evict(n: DataNode): void {
  if (n.array) n.array = n.array.slice();
  n.resident = undefined;
}

/** A donated tensor's bytes now hold the call's result: the tensor itself can no longer be read. */
function consume(n: DataNode): void {
  n.array = undefined;
  n.resident = undefined;
  n.ready = Promise.reject(new Error('kiln: this tensor was donated to a jitted call (donateArgnums) and its memory reused; use the call\'s result instead'));
  n.ready.catch(() => {});
}
