// Shaders for the latent-layouts point sprites (used by gl.js): GLSL ES 3.00
// for WebGL 2, and the same drawing in GLSL ES 1.00 for WebGL 1. Both
// versions are written from one body each (vertex, fragment); only the
// declarations, the sampling call and the output differ.
//
// Every point is one GL_POINTS vertex. Its position is the mix of two
// layouts, each a uint16 pair normalised to [0, 1] by the attribute pointer
// and dequantised here (value = q * scale + offset); a uniform t morphs
// between them. The sprite is the point's own cell of a texture atlas: the
// cell index comes from gl_VertexID, so nothing per point is stored for it.
// WebGL 1 has no gl_VertexID: there each point's cell (column, row) is a
// uint16 attribute, and the atlas level of detail is set from the sprite size
// (texture2DLodEXT), as WebGL 2's TEXTURE_MAX_LEVEL does.
//
// Two looks, chosen by u_rgb: gray atlases (white ink on black) are drawn as
// ink over a tile, both tinted by class; colour atlases are drawn as they
// are, opaque, inside a thin frame of the class colour.

const VERTEX_UNIFORMS = `
uniform vec4 u_fromQuant;   // xy = scale, zw = offset: position = a_from * xy + zw
uniform vec4 u_toQuant;
uniform float u_t;          // 0 = from, 1 = to (already eased)
uniform vec2 u_centre;      // data point at the middle of the canvas
uniform vec2 u_clipPerUnit; // clip-space units per data unit, x and y
uniform float u_size;       // sprite side in device pixels
uniform int u_highlight;    // class drawn at full strength; -1 = all
// (class k is drawn in u_palette[k % 10])
uniform float u_dim;        // alpha of the other classes
uniform vec3 u_palette[10];`;

// `label` is the GLSL expression for the point's class (0-255), `colour` the one for its palette entry
// (label % 10); `cell` sets v_cell.
const vertexMain = (label, colour, cell) => `
void main() {
  vec2 from = a_from * u_fromQuant.xy + u_fromQuant.zw;
  vec2 to = a_to * u_toQuant.xy + u_toQuant.zw;
  vec2 p = mix(from, to, u_t);
  gl_Position = vec4((p - u_centre) * u_clipPerUnit, 0.0, 1.0);
  gl_PointSize = u_size;
  int label = ${label};
  v_color = u_palette[${colour}];
  v_alpha = (u_highlight < 0 || label == u_highlight) ? 1.0 : u_dim;
${cell}
}
`;

const FRAGMENT_UNIFORMS = `
uniform sampler2D u_atlas;  // gray: white ink on black (read from .r); rgb: the images
uniform float u_rgb;        // 1: a colour atlas, drawn as it is; 0: a gray one, drawn as tinted ink
uniform float u_frame;      // colour atlases: width of the class-colour frame, in sprite units
uniform float u_cellUV;     // cell side / atlas side
uniform float u_gain;       // ink boost for small sprites
uniform float u_tile;       // alpha of the tinted square under the ink
uniform float u_inkMix;     // 0 = ink in the class colour, 1 = ink in u_ink
uniform vec3 u_ink;
uniform float u_ring;       // > 0: outline the sprite (the hovered point), ring width in sprite units
uniform vec3 u_ringColor;`;

// `sample` is the GLSL expression that reads the atlas at `uv`; `output` the colour written.
const fragmentMain = (sample, output) => `
void main() {
  vec2 pc = gl_PointCoord;
  vec2 uv = (v_cell + pc) * u_cellUV;
  vec4 texel = ${sample};
  vec2 d = abs(pc - 0.5);
  float edge = max(d.x, d.y);
  vec3 color;
  float a;
  if (u_rgb > 0.5) {
    color = edge > 0.5 - u_frame ? v_color : texel.rgb;
    a = 1.0;
  } else {
    float ink = clamp(texel.r * u_gain, 0.0, 1.0);
    float tile = u_tile * (1.0 - smoothstep(0.42, 0.5, edge));
    vec3 inkColor = mix(v_color, u_ink, u_inkMix);
    a = ink + tile * (1.0 - ink);
    color = a > 0.0 ? (inkColor * ink + v_color * tile * (1.0 - ink)) / a : v_color;
  }
  a *= v_alpha;
  if (u_ring > 0.0 && edge > 0.5 - u_ring) {
    color = u_ringColor;
    a = 1.0;
  }
  ${output} = vec4(color * a, a);
}
`;

// --- GLSL ES 3.00 (WebGL 2) --------------------------------------------------

export const VERTEX_SHADER = `#version 300 es
precision highp float;
precision highp int;

layout(location = 0) in vec2 a_from;   // uint16 pair normalised to [0, 1], or float positions
layout(location = 1) in vec2 a_to;
layout(location = 2) in float a_label;
${VERTEX_UNIFORMS}
uniform int u_perRow;
uniform int u_perAtlas;

out vec3 v_color;
out float v_alpha;
out vec2 v_cell;
${vertexMain("clamp(int(a_label + 0.5), 0, 255)", "label % 10", `  int cell = gl_VertexID % u_perAtlas;
  v_cell = vec2(float(cell % u_perRow), float(cell / u_perRow));`)}`;

export const FRAGMENT_SHADER = `#version 300 es
precision highp float; // atlas coordinates need more than half floats
${FRAGMENT_UNIFORMS}

in vec3 v_color;
in float v_alpha;
in vec2 v_cell;
out vec4 outColor;
${fragmentMain("texture(u_atlas, uv)", "outColor")}`;

// --- GLSL ES 1.00 (WebGL 1): the same drawing -------------------------------

export const VERTEX_SHADER_100 = `
precision highp float;

attribute vec2 a_from;
attribute vec2 a_to;
attribute float a_label;
attribute vec2 a_cell;      // column and row of the point's atlas cell
${VERTEX_UNIFORMS}

varying vec3 v_color;
varying float v_alpha;
varying vec2 v_cell;
${vertexMain("int(clamp(floor(a_label + 0.5), 0.0, 255.0))", "int(mod(float(label), 10.0))", "  v_cell = a_cell;")}`;

/** The WebGL 1 fragment shader; `lod` when EXT_shader_texture_lod is enabled. */
export function fragmentShader100(lod) {
  return `${lod ? "#extension GL_EXT_shader_texture_lod : enable\n" : ""}
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
#else
precision mediump float;
#endif
${FRAGMENT_UNIFORMS}
uniform float u_lod;        // atlas level for this sprite size, clamped to the levels that keep cells apart

varying vec3 v_color;
varying float v_alpha;
varying vec2 v_cell;
${fragmentMain(lod ? "texture2DLodEXT(u_atlas, uv, u_lod)" : "texture2D(u_atlas, uv)", "gl_FragColor")}`;
}
