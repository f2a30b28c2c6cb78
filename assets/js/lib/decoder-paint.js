// Paint grayscale images (floats in [0, 1], row-major) into canvases whose
// backing store is exactly the image size; CSS scales them up with crisp
// pixels. Value v becomes the gray level round(255 v), so the painted pixels
// can be compared with a model's output.

/**
 * @param {HTMLCanvasElement} canvas @param {ArrayLike<number>} values
 * @param {number} width @param {number} height @param {number} [offset] first value to read
 */
export function paintGray(canvas, values, width, height, offset = 0) {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, height);
  const { data } = image;
  for (let i = 0; i < width * height; i += 1) {
    const v = values[offset + i];
    const gray = Math.round(255 * (v > 1 ? 1 : v > 0 ? v : 0));
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = gray;
    data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** Fill a canvas of `width` x `height` with black (an empty image). */
export function paintBlank(canvas, width, height) {
  paintGray(canvas, new Float32Array(width * height), width, height);
}

/**
 * The gray levels (0-255) of a canvas painted by paintGray, row-major.
 * @param {HTMLCanvasElement} canvas @returns {Uint8Array}
 */
export function readGray(canvas) {
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  const out = new Uint8Array(canvas.width * canvas.height);
  for (let i = 0; i < out.length; i += 1) out[i] = data[4 * i];
  return out;
}

/**
 * A canvas for one small image, shown `size` CSS px wide with crisp pixels.
 * @param {string} className @param {number} size @param {string} [label] accessible name
 */
export function imageCanvas(className, size, label) {
  const canvas = document.createElement("canvas");
  canvas.className = `decoder-image ${className}`;
  canvas.style.setProperty("--size", `${size}px`);
  if (label) {
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", label);
  } else {
    canvas.setAttribute("aria-hidden", "true");
  }
  return canvas;
}
