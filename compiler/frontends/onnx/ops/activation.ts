// ONNX ops: activation family.
import { op } from './types.js';

export const ACTIVATION_OPS = {
} satisfies Record<string, ReturnType<typeof op>>;
