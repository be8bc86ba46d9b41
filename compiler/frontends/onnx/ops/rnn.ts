// ONNX ops: rnn family.
import { op } from './types.js';

export const RNN_OPS = {
} satisfies Record<string, ReturnType<typeof op>>;
