// A minimal raw-WebGL point-sprite renderer for the latent-layouts figure:
// one context, one program, one vertex buffer per layout, one atlas texture
// per draw call. It owns every GL object it makes and frees them in
// destroy(); after a lost context it rebuilds them from the CPU-side copies.
// WebGL 2 when the browser has it, else WebGL 1 with the same drawing
// (GLSL ES 1.00; a per-point cell attribute instead of gl_VertexID; the
// optional OES_vertex_array_object and EXT_shader_texture_lod extensions).
// A streamed figure's atlas pages (tiles) arrive one by one: until its page
// is set, a point is drawn as a dot in its class colour (a blank texture).

import { link, releaseContext, vertexArrays } from "./context.js";
import { FRAGMENT_SHADER, VERTEX_SHADER, VERTEX_SHADER_100, fragmentShader100 } from "./shaders.js";

const LOC = { from: 0, to: 1, label: 2, cell: 3 };
const ATTRIBUTES = { a_from: LOC.from, a_to: LOC.to, a_label: LOC.label, a_cell: LOC.cell };
const SNAPSHOT = "\u0000snapshot"; // key of the float "from" buffer used when a morph is interrupted
const UNIFORMS = ["u_fromQuant", "u_toQuant", "u_t", "u_centre", "u_clipPerUnit", "u_size", "u_highlight", "u_dim",
  "u_perRow", "u_perAtlas", "u_palette", "u_atlas", "u_cellUV", "u_gain", "u_tile", "u_inkMix", "u_ink", "u_ring",
  "u_ringColor", "u_lod", "u_rgb", "u_frame"];
const FRAME = 0.07; // colour atlases: the class-colour frame's width, in sprite units (at least a device pixel)
const DOT_ALPHA = 0.85; // a point whose page has not arrived: a square of its class colour

// The deepest mipmap level whose texels never straddle two cells (28 px cells -> level 2).
function maxLevelFor(cell) {
  let level = 0;
  while (level < 4 && cell % (2 ** (level + 1)) === 0) level += 1;
  return level;
}

// Column and row of each point's atlas cell (WebGL 1 has no gl_VertexID to compute them from).
function cellsOf(count, { per_row: perRow, per_atlas: perAtlas }) {
  const cells = new Uint16Array(2 * count);
  for (let i = 0; i < count; i += 1) {
    const cell = i % perAtlas;
    cells[2 * i] = cell % perRow;
    cells[2 * i + 1] = Math.floor(cell / perRow);
  }
  return cells;
}

/**
 * Create the renderer on the context from openContext(canvas).
 * @param {{gl: WebGLRenderingContext | WebGL2RenderingContext, version: 1 | 2}} context
 * @param {{count: number, labels: Uint8Array, atlas: {cell: number, side: number, per_row: number, per_atlas: number},
 *   color?: "gray" | "rgb", look?: "ink" | "image"}} data `color`: the atlases' pixels (one channel, or RGB);
 *   `look`: ink in the class colour (MNIST) or the pixels as they are
 * @param {{onLost?: () => void, onRestored?: () => void}} [hooks]
 */
export function createSpriteRenderer(context, data, hooks = {}) {
  const { count, labels, atlas } = data;
  const rgb = data.color === "rgb"; // the atlases' pixels: RGB, or one channel
  const asImage = data.look ? data.look === "image" : rgb; // draw the pixels as they are, not as ink
  const { gl, version } = context;
  const canvas = gl.canvas;
  const webgl2 = version === 2;
  const maxLevel = maxLevelFor(atlas.cell);
  const cells = webgl2 ? null : cellsOf(count, atlas);

  const layouts = new Map(); // key -> {data: Uint16Array | Float32Array, quant: [sx, sy, ox, oy], buffer}
  let images = [];
  let program = null;
  let uniforms = {};
  let vao = null;
  let labelBuffer = null;
  let cellBuffer = null; // WebGL 1 only
  let vaoApi = null; // WebGL 2's vertex arrays, OES_vertex_array_object's, or null (attributes set once per context)
  let lodExt = false; // WebGL 1: EXT_shader_texture_lod in use
  let textures = []; // one a page; null while a streamed page has not arrived
  let blank = null; // 1 x 1 black: what a point without its page samples
  let lost = false;
  let destroyed = false;
  let pointRange = [1, 64];

  function init() {
    if (webgl2) {
      program = link(gl, VERTEX_SHADER, FRAGMENT_SHADER, ATTRIBUTES);
    } else {
      lodExt = Boolean(gl.getExtension("EXT_shader_texture_lod"));
      program = link(gl, VERTEX_SHADER_100, fragmentShader100(lodExt), ATTRIBUTES);
    }
    uniforms = Object.fromEntries(UNIFORMS.map((name) => [name, gl.getUniformLocation(program, name)]));
    vaoApi = vertexArrays(gl, webgl2);
    vao = vaoApi ? vaoApi.create() : null;
    vaoApi?.bind(vao);
    labelBuffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, labelBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, labels, gl.STATIC_DRAW);
    gl.enableVertexAttribArray(LOC.label);
    gl.vertexAttribPointer(LOC.label, 1, gl.UNSIGNED_BYTE, false, 0, 0);
    if (cells) {
      cellBuffer = gl.createBuffer();
      gl.bindBuffer(gl.ARRAY_BUFFER, cellBuffer);
      gl.bufferData(gl.ARRAY_BUFFER, cells, gl.STATIC_DRAW);
      gl.enableVertexAttribArray(LOC.cell);
      gl.vertexAttribPointer(LOC.cell, 2, gl.UNSIGNED_SHORT, false, 0, 0);
    }
    gl.enableVertexAttribArray(LOC.from);
    gl.enableVertexAttribArray(LOC.to);
    vaoApi?.bind(null);
    for (const entry of layouts.values()) upload(entry);
    textures = images.map((image) => image && makeTexture(image));
    blank = makeTexture(null);
    pointRange = gl.getParameter(gl.ALIASED_POINT_SIZE_RANGE);
    gl.disable(gl.DEPTH_TEST);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA); // the fragment shader writes premultiplied colour
  }

  function upload(entry) {
    if (!entry.buffer) entry.buffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, entry.buffer);
    gl.bufferData(gl.ARRAY_BUFFER, entry.data, entry.data instanceof Float32Array ? gl.DYNAMIC_DRAW : gl.STATIC_DRAW);
  }

  function makeTexture(image) {
    const texture = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    const format = rgb ? gl.RGB : gl.LUMINANCE;
    if (image) gl.texImage2D(gl.TEXTURE_2D, 0, format, format, gl.UNSIGNED_BYTE, image);
    else gl.texImage2D(gl.TEXTURE_2D, 0, format, 1, 1, 0, format, gl.UNSIGNED_BYTE, new Uint8Array(rgb ? 3 : 1));
    // WebGL 1 has no TEXTURE_MAX_LEVEL: its shader clamps the level instead (u_lod)
    if (webgl2) gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAX_LEVEL, maxLevel);
    gl.generateMipmap(gl.TEXTURE_2D); // the atlases are powers of two, as WebGL 1 needs for mipmaps
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR_MIPMAP_LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    return texture;
  }

  function freeAll() {
    for (const entry of layouts.values()) {
      if (entry.buffer) gl.deleteBuffer(entry.buffer);
      entry.buffer = null;
    }
    for (const texture of [...textures, blank]) if (texture) gl.deleteTexture(texture);
    textures = [];
    blank = null;
    if (labelBuffer) gl.deleteBuffer(labelBuffer);
    if (cellBuffer) gl.deleteBuffer(cellBuffer);
    if (vao) vaoApi.remove(vao);
    if (program) gl.deleteProgram(program);
    labelBuffer = cellBuffer = vao = program = null;
  }

  function onLost(event) {
    event.preventDefault(); // ask for a restore
    lost = true;
    for (const entry of layouts.values()) entry.buffer = null; // the objects died with the context
    textures = [];
    blank = null;
    labelBuffer = cellBuffer = vao = program = null;
    hooks.onLost?.();
  }

  function onRestored() {
    lost = false;
    init();
    hooks.onRestored?.();
  }

  // the mipmap level a sprite of `size` device pixels samples (what WebGL 2 computes itself),
  // never past the level where a texel would straddle two cells
  function lodFor(size) {
    return Math.min(maxLevel, Math.max(0, Math.log2(atlas.cell / size)));
  }

  canvas.addEventListener("webglcontextlost", onLost);
  canvas.addEventListener("webglcontextrestored", onRestored);
  init();

  function bindPositions(location, key) {
    const entry = layouts.get(key);
    gl.bindBuffer(gl.ARRAY_BUFFER, entry.buffer);
    if (entry.data instanceof Float32Array) gl.vertexAttribPointer(location, 2, gl.FLOAT, false, 0, 0);
    else gl.vertexAttribPointer(location, 2, gl.UNSIGNED_SHORT, true, 0, 0);
    return entry.quant;
  }

  return {
    /** Upload one layout: uint16 x,y pairs and its quantisation {scale: [sx, sy], offset: [ox, oy]}. */
    addLayout(key, positions, { scale, offset }) {
      if (positions.length !== 2 * count) throw new Error(`layout ${key} has ${positions.length / 2} points, expected ${count}`);
      // the attribute arrives normalised to [0, 1], so the shader's scale is per unit, not per step
      const entry = { data: positions, quant: [scale[0] * 65535, scale[1] * 65535, offset[0], offset[1]], buffer: null };
      layouts.set(key, entry);
      if (!lost) upload(entry);
    },

    /** Float positions to morph from when a morph is interrupted half-way; returns the key to draw from. */
    setSnapshot(positions) {
      const entry = layouts.get(SNAPSHOT) || { data: null, quant: [1, 1, 0, 0], buffer: null };
      entry.data = positions;
      layouts.set(SNAPSHOT, entry);
      if (!lost) upload(entry);
      return SNAPSHOT;
    },

    /** The atlas images, in order (atlas k holds points k * per_atlas ...); null for a page not loaded yet. */
    setAtlases(list) {
      for (const texture of textures) if (texture) gl.deleteTexture(texture);
      images = [...list];
      textures = lost ? [] : images.map((image) => image && makeTexture(image));
    },

    /** Page k's image arrives (a streamed tile), or goes (null: its points are dots again). */
    setPage(k, image) {
      images[k] = image;
      if (lost) return;
      if (textures[k]) gl.deleteTexture(textures[k]);
      textures[k] = image && makeTexture(image);
    },

    resize(width, height) {
      if (canvas.width !== width) canvas.width = width;
      if (canvas.height !== height) canvas.height = height;
    },

    /** Largest sprite side the GPU draws, in device pixels. */
    get maxPointSize() {
      return pointRange[1];
    },

    /** 2 for WebGL 2, 1 for WebGL 1. */
    get version() {
      return version;
    },

    /** WebGL 1 extensions in use (empty on WebGL 2, which needs none). */
    get extensions() {
      if (webgl2) return [];
      return [vaoApi && "OES_vertex_array_object", lodExt && "EXT_shader_texture_lod"].filter(Boolean);
    },

    get isLost() {
      return lost || gl.isContextLost();
    },

    /**
     * Draw every point.
     * @param {{from: string, to: string, t: number, centre: number[], clipPerUnit: number[], size: number,
     *   highlight: number, dim: number, gain: number, tile: number, inkMix: number, ink: number[],
     *   palette: Float32Array, hover: number, ringColor: number[], ratio: number}} frame
     */
    draw(frame) {
      const dotLook = () => { // a point without its page: its class colour only
        gl.uniform1f(uniforms.u_rgb, 0);
        gl.uniform1f(uniforms.u_gain, 0);
        gl.uniform1f(uniforms.u_tile, DOT_ALPHA);
      };
      if (destroyed || lost || gl.isContextLost()) return false;
      gl.viewport(0, 0, canvas.width, canvas.height);
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
      if (!images.length) return true;
      gl.useProgram(program);
      vaoApi?.bind(vao);
      gl.uniform4fv(uniforms.u_fromQuant, bindPositions(LOC.from, frame.from));
      gl.uniform4fv(uniforms.u_toQuant, bindPositions(LOC.to, frame.to));
      gl.uniform1f(uniforms.u_t, frame.t);
      gl.uniform2fv(uniforms.u_centre, frame.centre);
      gl.uniform2fv(uniforms.u_clipPerUnit, frame.clipPerUnit);
      const size = Math.min(Math.max(frame.size, 1), pointRange[1]);
      gl.uniform1f(uniforms.u_size, size);
      if (!webgl2) gl.uniform1f(uniforms.u_lod, lodFor(size));
      gl.uniform1i(uniforms.u_highlight, frame.highlight);
      gl.uniform1f(uniforms.u_dim, frame.dim);
      gl.uniform1i(uniforms.u_perRow, atlas.per_row);
      gl.uniform1i(uniforms.u_perAtlas, atlas.per_atlas);
      gl.uniform3fv(uniforms.u_palette, frame.palette);
      gl.uniform1i(uniforms.u_atlas, 0);
      gl.uniform1f(uniforms.u_cellUV, atlas.cell / atlas.side);
      gl.uniform1f(uniforms.u_gain, frame.gain);
      gl.uniform1f(uniforms.u_tile, frame.tile);
      gl.uniform1f(uniforms.u_inkMix, frame.inkMix);
      gl.uniform3fv(uniforms.u_ink, frame.ink);
      gl.uniform1f(uniforms.u_ring, 0);
      gl.uniform1f(uniforms.u_rgb, asImage ? 1 : 0);
      gl.uniform1f(uniforms.u_frame, Math.min(0.5, Math.max(FRAME, frame.ratio / size)));
      gl.uniform3fv(uniforms.u_ringColor, frame.ringColor);
      gl.activeTexture(gl.TEXTURE0);
      const pages = (loaded) => {
        for (let a = 0; a < images.length; a += 1) {
          const first = a * atlas.per_atlas;
          const n = Math.min(atlas.per_atlas, count - first);
          if (n <= 0) break;
          if (Boolean(textures[a]) !== loaded) continue;
          gl.bindTexture(gl.TEXTURE_2D, textures[a] || blank);
          gl.drawArrays(gl.POINTS, first, n);
        }
      };
      if (textures.some((texture) => !texture)) { // dots first, under the images
        dotLook();
        pages(false);
        gl.uniform1f(uniforms.u_rgb, asImage ? 1 : 0);
        gl.uniform1f(uniforms.u_gain, frame.gain);
        gl.uniform1f(uniforms.u_tile, frame.tile);
      }
      pages(true);
      if (frame.hover >= 0 && frame.hover < count) {
        // the hovered point again, on top, larger and outlined
        const hoverSize = Math.min(Math.max(size * 1.5, 20 * frame.ratio), pointRange[1]);
        gl.uniform1f(uniforms.u_size, hoverSize);
        if (!webgl2) gl.uniform1f(uniforms.u_lod, lodFor(hoverSize));
        gl.uniform1i(uniforms.u_highlight, -1);
        gl.uniform1f(uniforms.u_tile, 0.9);
        gl.uniform1f(uniforms.u_inkMix, 0.85);
        gl.uniform1f(uniforms.u_gain, 1);
        gl.uniform1f(uniforms.u_ring, (1.5 * frame.ratio) / hoverSize);
        gl.uniform1f(uniforms.u_frame, Math.max(FRAME, frame.ratio / hoverSize));
        const texture = textures[Math.floor(frame.hover / atlas.per_atlas)];
        if (!texture) dotLook();
        gl.bindTexture(gl.TEXTURE_2D, texture || blank);
        gl.drawArrays(gl.POINTS, frame.hover, 1);
      }
      vaoApi?.bind(null);
      return true;
    },

    /** RGBA bytes of the drawing buffer; call in the same task as draw(). */
    readPixels() {
      const pixels = new Uint8Array(canvas.width * canvas.height * 4);
      gl.readPixels(0, 0, canvas.width, canvas.height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
      return pixels;
    },

    /** Live GL objects, for leak checks. */
    info() {
      let buffers = (labelBuffer ? 1 : 0) + (cellBuffer ? 1 : 0);
      for (const entry of layouts.values()) if (entry.buffer) buffers += 1;
      return { buffers, textures: textures.filter(Boolean).length, programs: program ? 1 : 0 }; // pages (not the blank)
    },

    destroy() {
      if (destroyed) return;
      destroyed = true;
      canvas.removeEventListener("webglcontextlost", onLost);
      canvas.removeEventListener("webglcontextrestored", onRestored);
      if (!gl.isContextLost()) freeAll();
      layouts.clear();
      images = [];
      releaseContext(context);
    },
  };
}
