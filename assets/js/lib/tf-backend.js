// The one TF.js backend policy of the site. Pick the backend once per page:
// WebGL when the GPU is real, the CPU backend when WebGL is software-rendered
// (SwiftShader, llvmpipe, ...), where the CPU backend is several times faster
// (a 112 x 92 face decodes in tens of milliseconds instead of seconds).
// Every figure that runs TF.js awaits chooseBackend(tf) before its first op
// (the decoder family through lib/decoder-model.js; faces and toy-bench directly;
// mnist-live and train-in-page inside lib/autoencoder-worker.js, which applies the
// same policy in the worker). Tests and bench/page.py switch backends only through
// useBackend(tf, name), so no figure keeps a policy of its own.

import { useFastChannelAdd } from "./tf-cpu-kernels.js";

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;
let choice = null;

/** The renderer string of TF.js's own WebGL context ("" when unknown or never made). */
export function rendererOf(tf) {
  // the WebGL backend if TF.js has made one (never create one just to ask)
  const backend = tf.getBackend() === "webgl" ? tf.backend() : tf.engine().registry?.webgl;
  const gl = backend?.gpgpu?.gl;
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
      useFastChannelAdd(tf); // a convolution's bias on the cpu backend (see tf-cpu-kernels.js)
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

/**
 * Switch every figure of the page to backend `name` ("cpu", "webgl"), for tests
 * and benchmarks. The policy runs first, so it can never undo the switch later.
 * Models stay valid: TF.js moves their weights to the new backend on use.
 * @param {typeof import("@tensorflow/tfjs")} tf @param {string} name
 * @returns {Promise<boolean>} true when `name` is now the backend in use
 */
export async function useBackend(tf, name) {
  await chooseBackend(tf);
  let ok;
  try {
    ok = await tf.setBackend(name);
  } catch {
    ok = false;
  }
  await tf.ready();
  return ok && tf.getBackend() === name;
}

/** What tests and the benchmark read: the backend in use, the policy's pick, live tensors, the GL renderer. */
export async function backendState(tf) {
  const policy = await chooseBackend(tf);
  return { backend: tf.getBackend(), policy, numTensors: tf.memory().numTensors, renderer: rendererOf(tf) };
}
