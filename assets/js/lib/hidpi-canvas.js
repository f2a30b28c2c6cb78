// Size a canvas for crisp drawing on high-density screens.

/**
 * Give `canvas` a CSS size of `width` x `height` and a backing store scaled by
 * devicePixelRatio, and return a 2-D context that draws in CSS pixels.
 * Image smoothing is off so that scaled-up images keep hard pixel edges.
 * @param {HTMLCanvasElement} canvas @param {number} width @param {number} height
 * @returns {{ctx: CanvasRenderingContext2D, ratio: number}}
 */
export function fitCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  const deviceWidth = Math.max(1, Math.round(width * ratio));
  const deviceHeight = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== deviceWidth) canvas.width = deviceWidth;
  if (canvas.height !== deviceHeight) canvas.height = deviceHeight;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.imageSmoothingEnabled = false;
  return { ctx, ratio };
}
