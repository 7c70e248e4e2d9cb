// Runs Silero VAD v5 in ONNX Runtime as a stream: frame k's stateN output is
// frame k+1's state input, the first state is zeros, sr is 16000.
//   node silero_stream.js MODEL FRAMES.bin OUT.bin
// FRAMES.bin: n frames of 512 float32 samples. OUT.bin: per frame, the
// probability (1 float32) then stateN (256 float32). One intra-op thread,
// graph optimisations on, like the references in ../shared/models.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, '..', '..', 'node_modules', 'onnxruntime-node'));

async function main() {
  const [model, framesFile, outFile] = process.argv.slice(2);
  const raw = fs.readFileSync(framesFile);
  const frames = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  const n = frames.length / 512;
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  let state = new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
  const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  const out = new Float32Array(n * 257);
  for (let k = 0; k < n; ++k) {
    const input = new ort.Tensor('float32', frames.slice(k * 512, (k + 1) * 512), [1, 512]);
    const r = await session.run({input, state, sr});
    out[k * 257] = r.output.data[0];
    out.set(r.stateN.data, k * 257 + 1);
    state = new ort.Tensor('float32', Float32Array.from(r.stateN.data), [2, 1, 128]);
  }
  fs.writeFileSync(outFile, Buffer.from(out.buffer));
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
