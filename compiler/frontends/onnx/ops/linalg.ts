// ONNX ops: linalg family.
import { op } from './types.js';

export const LINALG_OPS = {
} satisfies Record<string, ReturnType<typeof op>>;
