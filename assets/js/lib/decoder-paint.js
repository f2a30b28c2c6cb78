// Paint decoded images (floats in [0, 1], row-major; gray, or RGB with the
// channels interleaved) into canvases whose backing store is exactly the image
// size; CSS scales them up with crisp pixels. Value v becomes the level
// round(255 v), so the painted pixels can be compared with a model's output.

/** [height, width, channels] of a config's `image` ([H, W] gray or [H, W, 3] RGB). */
export function imageShape(image) {
  const [height, width, channels = 1] = image;
  if (channels !== 1 && channels !== 3) throw new Error(`images must have 1 or 3 channels, not ${channels}`);
  return [height, width, channels];
}

function level(v) {
  return Math.round(255 * (v > 1 ? 1 : v > 0 ? v : 0));
}

/**
 * Paint one image of `channels` (1: gray, 3: RGB) read from `values` at `offset`.
 * @param {HTMLCanvasElement} canvas @param {ArrayLike<number>} values
 * @param {number} width @param {number} height @param {number} [channels] @param {number} [offset] first value to read
 */
export function paintImage(canvas, values, width, height, channels = 1, offset = 0) {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, height);
  writePixels(image.data, 4 * width, values, offset, width, height, channels);
  ctx.putImageData(image, 0, 0);
}

/**
 * Write one image of `width` x `height` (`channels` values a pixel, read from `values` at `offset`) into
 * RGBA `data`, its top-left pixel at byte `start`, its rows `stride` bytes apart: gray copies its level
 * to R, G and B; RGB takes three values a pixel. Opaque.
 * @param {Uint8ClampedArray} data @param {number} stride @param {ArrayLike<number>} values @param {number} offset
 * @param {number} width @param {number} height @param {number} [channels] @param {number} [start]
 */
export function writePixels(data, stride, values, offset, width, height, channels = 1, start = 0) {
  for (let y = 0; y < height; y += 1) {
    let p = start + y * stride;
    let v = offset + y * width * channels;
    for (let x = 0; x < width; x += 1) {
      if (channels === 3) {
        data[p] = level(values[v]);
        data[p + 1] = level(values[v + 1]);
        data[p + 2] = level(values[v + 2]);
      } else {
        data[p] = data[p + 1] = data[p + 2] = level(values[v]);
      }
      data[p + 3] = 255;
      p += 4;
      v += channels;
    }
  }
}

/**
 * @param {HTMLCanvasElement} canvas @param {ArrayLike<number>} values
 * @param {number} width @param {number} height @param {number} [offset] first value to read
 */
export function paintGray(canvas, values, width, height, offset = 0) {
  paintImage(canvas, values, width, height, 1, offset);
}

/** Fill a canvas of `width` x `height` with black (an empty image). */
export function paintBlank(canvas, width, height) {
  paintGray(canvas, new Float32Array(width * height), width, height);
}

/**
 * The levels (0-255) of RGBA `data` as `channels` values a pixel (1: the red byte, which a gray
 * painting copies to all three; 3: R, G, B), row-major.
 * @param {Uint8ClampedArray} data @param {number} [channels] @returns {Uint8Array}
 */
export function levels(data, channels = 1) {
  const count = data.length / 4;
  const out = new Uint8Array(count * channels);
  for (let i = 0; i < count; i += 1) {
    for (let c = 0; c < channels; c += 1) out[i * channels + c] = data[4 * i + c];
  }
  return out;
}

/**
 * The levels (0-255) of a canvas painted by paintImage, row-major, `channels` a pixel.
 * @param {HTMLCanvasElement} canvas @param {number} [channels] @returns {Uint8Array}
 */
export function readImage(canvas, channels = 1) {
  return levels(canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data, channels);
}

/**
 * The gray levels (0-255) of a canvas painted by paintGray, row-major.
 * @param {HTMLCanvasElement} canvas @returns {Uint8Array}
 */
export function readGray(canvas) {
  return readImage(canvas, 1);
}

/**
 * A canvas for one small image, shown `size` CSS px on its longer side with crisp pixels.
 * @param {string} className @param {number} size @param {string} [label] accessible name
 * @param {number} [aspect] the image's width / height (1: square, `size` px each way)
 */
export function imageCanvas(className, size, label, aspect = 1) {
  const canvas = document.createElement("canvas");
  canvas.className = `decoder-image ${className}`;
  canvas.style.setProperty("--size", `${size}px`);
  if (aspect !== 1) {
    // decoder.css makes both sides var(--size); the shorter one shrinks to the image's aspect
    canvas.style.width = `calc(var(--size) * ${Math.min(1, aspect)})`;
    canvas.style.height = `calc(var(--size) * ${Math.min(1, 1 / aspect)})`;
  }
  if (label) {
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", label);
  } else {
    canvas.setAttribute("aria-hidden", "true");
  }
  return canvas;
}
