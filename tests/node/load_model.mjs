// Load an exported TF.js layers model from disk with @tensorflow/tfjs (pure JS,
// not tfjs-node) and print its predictions for the probe inputs as JSON.
//
// Usage: node tests/node/load_model.mjs <model_dir> <probe.json>
//
// probe.json is either a nested array (one batch of inputs for a single-input
// model) or {"inputs": <nested array>}. Prints one JSON line on stdout:
// {"backend": "cpu", "shape": [...], "outputs": <nested array>}; all other
// TF.js chatter goes to stderr.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

// TF.js prints a "use tfjs-node" hint with console.log; keep stdout for the result.
const writeResult = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
console.log = (...args) => console.error(...args);
console.info = (...args) => console.error(...args);

const tf = await import('@tensorflow/tfjs');
// the page's kernels: every figure's backend choice registers the per-channel Add (lib/tf-backend.js)
const { useFastChannelAdd } = await import('../../assets/js/lib/tf-cpu-kernels.js');
useFastChannelAdd(tf);

function fileHandler(modelDir) {
  return {
    async load() {
      const modelJson = JSON.parse(await readFile(path.join(modelDir, 'model.json'), 'utf8'));
      const weightSpecs = [];
      const buffers = [];
      for (const group of modelJson.weightsManifest || []) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) {
          const buf = await readFile(path.join(modelDir, p));
          buffers.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
        }
      }
      const total = buffers.reduce((n, b) => n + b.byteLength, 0);
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const b of buffers) {
        weightData.set(new Uint8Array(b), offset);
        offset += b.byteLength;
      }
      return {
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData: weightData.buffer,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
      };
    },
  };
}

async function main() {
  const [modelDir, probePath] = process.argv.slice(2);
  if (!modelDir || !probePath) {
    console.error('usage: node tests/node/load_model.mjs <model_dir> <probe.json>');
    process.exit(2);
  }
  await tf.setBackend('cpu');
  await tf.ready();
  const probe = JSON.parse(await readFile(probePath, 'utf8'));
  const inputs = Array.isArray(probe) ? probe : probe.inputs;
  const model = await tf.loadLayersModel(fileHandler(modelDir), { strict: true });
  const x = tf.tensor(inputs, undefined, 'float32');
  const y = model.predict(x);
  const out = Array.isArray(y) ? y[0] : y;
  writeResult({ backend: tf.getBackend(), shape: out.shape, outputs: await out.array() });
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
