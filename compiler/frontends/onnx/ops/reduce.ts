// ONNX ops: reduce family.
import { op } from './types.js';

export const REDUCE_OPS = {
} satisfies Record<string, ReturnType<typeof op>>;
