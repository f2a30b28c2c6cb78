// Pick the TF.js backend once per page: WebGL when the GPU is real, the CPU
// backend when WebGL is software-rendered (SwiftShader, llvmpipe, ...), where
// the CPU backend is several times faster (a 112 x 92 face decodes in tens of
// milliseconds instead of seconds). Every figure that runs TF.js calls chooseBackend(tf)
// before its first op.

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;
let choice = null;

/** The renderer string of TF.js's own WebGL context ("" when unknown). */
function rendererOf(tf) {
  const gl = tf.backend()?.gpgpu?.gl;
  if (!gl) return "";
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) || "");
}

/**
 * Resolve with the backend in use after applying the policy (decided once per page).
 * @param {typeof import("@tensorflow/tfjs")} tf
 * @returns {Promise<string>}
 */
export function chooseBackend(tf) {
  if (!choice) {
    choice = (async () => {
      await tf.ready();
      if (tf.getBackend() === "webgl" && SOFTWARE.test(rendererOf(tf))) {
        await tf.setBackend("cpu");
        await tf.ready();
      }
      return tf.getBackend();
    })();
  }
  return choice;
}
