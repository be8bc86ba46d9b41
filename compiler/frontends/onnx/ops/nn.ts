// ONNX ops: nn family.
import { op } from './types.js';

export const NN_OPS = {
} satisfies Record<string, ReturnType<typeof op>>;
