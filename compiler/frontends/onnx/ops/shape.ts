// ONNX ops: shape family.
import { op } from './types.js';

export const SHAPE_OPS = {
} satisfies Record<string, ReturnType<typeof op>>;
