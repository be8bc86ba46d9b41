// One Node peer in its own process (see peer.ts for the protocol): load the peer's module,
// set it up on the fixtures, time its steps, print the result.
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readIndex, type ModelName } from './fixtures.js';
import { RESULT_PREFIX, timeSteps, type StepResult, type TrainPeer } from './peer.js';

const { values: a } = parseArgs({
  options: {
    peer: { type: 'string' },
    fixtures: { type: 'string' },
    model: { type: 'string' },
    warmup: { type: 'string' },
    samples: { type: 'string' },
    steps: { type: 'string' },
  },
});
const file = isAbsolute(a.peer!) ? a.peer! : join(import.meta.dirname, a.peer!);
const model = a.model as ModelName;
const t0 = performance.now();
const peer = ((await import(pathToFileURL(file).href)) as { default: TrainPeer }).default;
await peer.init?.();
const session = await peer.setup(readIndex(a.fixtures!), model);
const setupMs = performance.now() - t0;
const timed = await timeSteps(session, { warmup: Number(a.warmup), samples: Number(a.samples), steps: Number(a.steps) });
await session.dispose();
const result: StepResult = { peer: peer.name, model, note: peer.note(model), setupMs, ...timed };
process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n', () => process.exit(0));
