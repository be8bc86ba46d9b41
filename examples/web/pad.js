// The drawing pad: pointer events (mouse, touch, pen) draw thick white strokes on black, as
// MNIST's digits are; the input is the pad shrunk to 28×28 with the browser's smoothing,
// grey levels scaled to [0, 1], shown enlarged beside it.

const STROKE = 20; // px on the 280×280 pad: about 2 pixels of the 28×28 input, as MNIST's pen

/** Wires `big` for drawing; calls `done()` when a stroke ends. */
export function drawingPad(big, small, done) {
  const g = big.getContext('2d');
  const s = small.getContext('2d', { willReadFrequently: true });
  let last = null;

  const clear = () => {
    g.fillStyle = '#000';
    g.fillRect(0, 0, big.width, big.height);
    shrink();
  };
  const shrink = () => {
    s.imageSmoothingEnabled = true;
    s.imageSmoothingQuality = 'high';
    s.clearRect(0, 0, small.width, small.height);
    s.drawImage(big, 0, 0, small.width, small.height);
  };
  /** The pointer's position in the pad's pixels (its CSS size may differ). */
  const at = (e) => {
    const r = big.getBoundingClientRect();
    return [(e.clientX - r.left) * (big.width / r.width), (e.clientY - r.top) * (big.height / r.height)];
  };
  const line = (to) => {
    g.strokeStyle = '#fff';
    g.lineWidth = STROKE;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.beginPath();
    g.moveTo(...(last ?? to));
    g.lineTo(...to);
    g.stroke();
    last = to;
  };

  big.addEventListener('pointerdown', (e) => {
    big.setPointerCapture(e.pointerId);
    last = null;
    line(at(e));
  });
  big.addEventListener('pointermove', (e) => { if (last) line(at(e)); });
  const end = () => {
    if (!last) return;
    last = null;
    shrink();
    done();
  };
  big.addEventListener('pointerup', end);
  big.addEventListener('pointercancel', end);
  clear();

  return {
    clear,
    /** The 28×28 image as LeNet's input x: f32[1,1,28,28], the red channel in [0, 1]. */
    input() {
      const px = s.getImageData(0, 0, small.width, small.height).data;
      const x = new Float32Array(small.width * small.height);
      for (let i = 0; i < x.length; i++) x[i] = px[4 * i] / 255;
      return x;
    },
  };
}
