// TF.js layers models shared by the figures of a page (decoder-sampler,
// draw-digit and the zoo's live figures): each model file is fetched, loaded
// and warmed up once, and disposed when its last user releases it. The backend
// is the site's one policy (lib/tf-backend.js), applied before the first model loads.
// A figure's mount() holds its models with useModel (released when the figure
// is destroyed) and awaits its loads with loadAll, or startPlaneFigure.

import * as tf from "@tensorflow/tfjs";
import { loadPoints, planeSpans, requireConfig } from "./decoder-data.js";
import { createFigure } from "./figure.js";
import { backendState, chooseBackend, useBackend as switchBackend } from "./tf-backend.js";

const models = new Map(); // absolute URL -> {promise, users}

/**
 * Load (once per page) the layers model at `url`, run one warm-up predict so
 * the first real one is fast, and return `{model, release}`. `release()`
 * disposes the model when no other figure holds it.
 * @param {string} url
 * @returns {Promise<{model: tf.LayersModel, release: () => void}>}
 */
export async function acquireModel(url) {
  let entry = models.get(url);
  if (!entry) {
    entry = { users: 0, promise: load(url) };
    models.set(url, entry);
    entry.promise.catch(() => models.delete(url));
  }
  entry.users += 1;
  let model;
  try {
    model = await entry.promise;
  } catch (error) {
    entry.users -= 1;
    throw error;
  }
  let released = false;
  return {
    model,
    release() {
      if (released) return;
      released = true;
      entry.users -= 1;
      if (entry.users === 0 && models.get(url) === entry) {
        models.delete(url);
        model.dispose();
      }
    },
  };
}

/**
 * acquireModel for a mounting figure: the model is released when `fig` is destroyed.
 * @param {{onDestroy: (fn: () => void) => void}} fig @param {string} file @param {string} base URL `file` is relative to
 * @returns {Promise<tf.LayersModel>}
 */
export async function useModel(fig, file, base) {
  await chooseBackend(tf);
  const { model, release } = await acquireModel(new URL(file, base).href);
  fig.onDestroy(release);
  return model;
}

/**
 * Wait for all of a mounting figure's loads. When one fails, `fig` is destroyed
 * (releasing what the others acquired) and its error is thrown.
 * @param {{destroy: () => void}} fig @param {Promise<any>[]} loads
 * @returns {Promise<any[]>} the loads' values
 */
export async function loadAll(fig, loads) {
  const results = await Promise.allSettled(loads);
  const failed = results.find((result) => result.status === "rejected");
  if (failed) {
    fig.destroy();
    throw failed.reason;
  }
  return results.map((result) => result.value);
}

/**
 * The start of a figure that decodes points of the code plane (decoder-sampler, zoo-latent):
 * check `config`, create the figure, load its decoder and the data points.
 * @param {string} kind @param {HTMLElement} el @param {object} config @param {string[]} required config keys
 * @returns {Promise<{fig: object, model: tf.LayersModel, points: {codes: Float32Array, labels: Uint8Array, count: number}, spans: number[]}>}
 */
export async function startPlaneFigure(kind, el, config, required) {
  requireConfig(kind, config, required);
  const spans = planeSpans(kind, config.domain);
  const fig = createFigure(el, config);
  const [model, points] = await loadAll(fig, [useModel(fig, config.decoder, config.base), loadPoints(config)]);
  return { fig, model, points, spans };
}

async function load(url) {
  await chooseBackend(tf);
  let model;
  try {
    model = await tf.loadLayersModel(url);
  } catch (error) {
    throw new Error(`the model ${url.split("/").slice(-3).join("/")} could not be loaded`, { cause: error });
  }
  const shape = model.inputs[0].shape.map((d) => d ?? 1);
  const warm = tf.tidy(() => model.predict(tf.zeros(shape)));
  await warm.data();
  warm.dispose();
  return model;
}

/**
 * Run `model` on `rows` inputs packed in `input` (row-major, `shape` per row)
 * and return the outputs as one Float32Array. Every tensor is disposed.
 * @param {tf.LayersModel} model @param {Float32Array} input @param {number} rows @param {number[]} shape
 * @returns {Promise<Float32Array>}
 */
export async function predict(model, input, rows, shape) {
  const output = tf.tidy(() => model.predict(tf.tensor(input, [rows, ...shape], "float32")));
  try {
    return await output.data();
  } finally {
    output.dispose();
  }
}

/** What tests read: live tensors and the backend in use. */
export function tfState() {
  return { numTensors: tf.memory().numTensors, backend: tf.getBackend() };
}

/** The backend in use, the policy's pick and TF.js's GL renderer (lib/tf-backend.js). */
export function tfBackendState() {
  return backendState(tf);
}

/** Switch the TF.js backend ("cpu", "webgl") through lib/tf-backend.js; resolves true when it took effect. */
export function useBackend(name) {
  return switchBackend(tf, name);
}
