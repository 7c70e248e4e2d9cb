// Runs an ONNX model once in ONNX Runtime (the reference runtime of the
// tests) and writes every output's raw bytes.
//   node ort_run.js MODEL OUTDIR NAME=TYPE:D0xD1x..:FILE.bin ...
// TYPE is float32, int8 or uint8. Outputs go to OUTDIR/<output name>.bin.
// One intra-op thread, graph optimisations on, like ../shared/models' refs.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, '..', '..', 'node_modules', 'onnxruntime-node'));

const ARRAYS = {float32: Float32Array, int8: Int8Array, uint8: Uint8Array};

async function main() {
  const [model, outDir, ...specs] = process.argv.slice(2);
  const feeds = {};
  for (const spec of specs) {
    const m = /^([^=]+)=([a-z0-9]+):([0-9x]+):(.+)$/.exec(spec);
    if (!m || !ARRAYS[m[2]])
      throw new Error('bad input spec ' + spec + ' (want NAME=TYPE:DIMS:FILE)');
    const raw = fs.readFileSync(m[4]);
    const A = ARRAYS[m[2]];
    const data = new A(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    feeds[m[1]] = new ort.Tensor(m[2], data, m[3].split('x').map(Number));
  }
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const r = await session.run(feeds);
  for (const name of session.outputNames) {
    const d = r[name].data;
    fs.writeFileSync(path.join(outDir, name + '.bin'),
                     Buffer.from(d.buffer, d.byteOffset, d.byteLength));
  }
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
