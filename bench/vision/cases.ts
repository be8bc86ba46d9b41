// The vision benchmark's cases, as bench/vision/export.py writes them (one folder each:
// model.onnx, input_0.npy, PyTorch's output_0.npy). Shared by the bench and by
// tests/onnx/vision.test.ts, which holds every case to PyTorch.
import { join } from 'node:path';

export const VISION_EXPORT_SCRIPT = join(import.meta.dirname, 'export.py');

export interface VisionCase {
  name: string;
  kind: 'network' | 'op';
  /** One line for the README and the table's notes. */
  what: string;
}

export const VISION_CASES: readonly VisionCase[] = [
  { name: 'mobilenet_v2', kind: 'network', what: 'torchvision MobileNetV2, 224×224' },
  { name: 'mobilenet_v3_small', kind: 'network', what: 'torchvision MobileNetV3-Small (hardswish, squeeze-excite), 224×224' },
  { name: 'resnet18', kind: 'network', what: 'torchvision ResNet-18, 224×224' },
  { name: 'squeezenet1_1', kind: 'network', what: 'torchvision SqueezeNet 1.1 (fire modules, concat), 224×224' },
  { name: 'shufflenet_v2_x1_0', kind: 'network', what: 'torchvision ShuffleNetV2 ×1.0 (channel shuffle), 224×224' },
  { name: 'efficientnet_b0', kind: 'network', what: 'torchvision EfficientNet-B0 (SiLU, squeeze-excite), 224×224' },
  { name: 'unet_decoder', kind: 'network', what: 'small U-Net: 4 strided convs, ConvTranspose 2×2/2, nearest and bilinear Resize, skip concats; 256×256 → 1 channel' },
  { name: 'op_convtranspose_40to24', kind: 'op', what: 'ConvTranspose 2×2 stride 2, [1,40,24,40] → [1,24,48,80]' },
  { name: 'op_convtranspose_24to1', kind: 'op', what: 'ConvTranspose 2×2 stride 2, [1,24,24,40] → [1,1,48,80]' },
  { name: 'op_depthwise5x5_3rows', kind: 'op', what: 'depthwise Conv 5×5 pad 2, [1,96,3,80]' },
  { name: 'op_depthwise5x5_2rows', kind: 'op', what: 'depthwise Conv 5×5 pad 2, [1,96,2,80]' },
  { name: 'op_depthwise3x3', kind: 'op', what: 'depthwise Conv 3×3 pad 1, [1,96,48,80]' },
  { name: 'op_conv3x3_32', kind: 'op', what: 'Conv 3×3 pad 1, 32 → 32 channels, [1,32,48,80]' },
];

/** The cases `only` names (a case's name, or its kind: `network`, `op`); all when empty. */
export function selectCases(only: readonly string[]): VisionCase[] {
  const cases = only.length ? VISION_CASES.filter((c) => only.includes(c.name) || only.includes(c.kind)) : [...VISION_CASES];
  if (!cases.length) throw new Error(`no case matches ${only.join(', ')}; cases: ${VISION_CASES.map((c) => c.name).join(', ')}, or network, op`);
  return cases;
}
