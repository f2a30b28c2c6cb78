// The WebGL context of the latent-layouts figure: opening one (WebGL 2, else
// WebGL 1, with the options the sprite renderer needs), giving it back, and
// building its shader program and vertex arrays (used by gl.js).

const CONTEXT_OPTIONS = {
  alpha: true, premultipliedAlpha: true, antialias: false, depth: false, stencil: false,
  preserveDrawingBuffer: false,
};

export const ERROR_NO_WEBGL = "this browser has no WebGL, which the figure needs";

/**
 * The canvas's WebGL 2 context, else a WebGL 1 one, else null.
 * @param {HTMLCanvasElement} canvas
 * @returns {{gl: WebGLRenderingContext | WebGL2RenderingContext, version: 1 | 2} | null}
 */
export function openContext(canvas) {
  const attempt = (name) => {
    try {
      return canvas.getContext(name, CONTEXT_OPTIONS);
    } catch {
      return null;
    }
  };
  const gl2 = attempt("webgl2");
  if (gl2) return { gl: gl2, version: 2 };
  const gl1 = attempt("webgl") || attempt("experimental-webgl");
  return gl1 ? { gl: gl1, version: 1 } : null;
}

/** Give a context back now rather than when the garbage collector finds it. */
export function releaseContext(context) {
  context?.gl.getExtension("WEBGL_lose_context")?.loseContext();
}

function compile(gl, type, source) {
  const shader = gl.createShader(type);
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS) && !gl.isContextLost()) {
    const log = gl.getShaderInfoLog(shader);
    gl.deleteShader(shader);
    throw new Error(`latent-layouts shader failed to compile: ${log}`);
  }
  return shader;
}

/**
 * Compile and link a program; `attributes` maps attribute names to the locations they are bound to.
 * @returns {WebGLProgram}
 */
export function link(gl, vertexSource, fragmentSource, attributes) {
  const program = gl.createProgram();
  const vs = compile(gl, gl.VERTEX_SHADER, vertexSource);
  const fs = compile(gl, gl.FRAGMENT_SHADER, fragmentSource);
  gl.attachShader(program, vs);
  gl.attachShader(program, fs);
  for (const [name, location] of Object.entries(attributes)) gl.bindAttribLocation(program, location, name);
  gl.linkProgram(program);
  gl.deleteShader(vs); // flagged for deletion; freed with the program
  gl.deleteShader(fs);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS) && !gl.isContextLost()) {
    const log = gl.getProgramInfoLog(program);
    gl.deleteProgram(program);
    throw new Error(`latent-layouts shader program failed to link: ${log}`);
  }
  return program;
}

/**
 * Vertex array objects: WebGL 2's own, OES_vertex_array_object's on WebGL 1, or null (attributes are
 * then set once per context). Extension objects die with a lost context: call again after a restore.
 */
export function vertexArrays(gl, webgl2) {
  if (webgl2) {
    return { create: () => gl.createVertexArray(), bind: (v) => gl.bindVertexArray(v), remove: (v) => gl.deleteVertexArray(v) };
  }
  const ext = gl.getExtension("OES_vertex_array_object");
  return ext
    ? { create: () => ext.createVertexArrayOES(), bind: (v) => ext.bindVertexArrayOES(v), remove: (v) => ext.deleteVertexArrayOES(v) }
    : null;
}
