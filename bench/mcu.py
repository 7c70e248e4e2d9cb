#!/usr/bin/python3
"""MLPerf Tiny models on the emulated Cortex-M4 and Cortex-M55: instructions
per inference (exact, counted by a TCG plugin under QEMU), instructions per
MAC, and flash and RAM from the ELF beside the compiler's prediction.

  bench/mcu.py --tinymlc build/compiler/tinymlc [--models DIR] [--out bench/results]

Writes <out>/mcu.md (the table) and <out>/mcu.json (one firmware cost report
per model and board). Instruction counts are not cycles: QEMU models no
pipeline, caches, wait states or MVE beats; compare variants on one ISA.
Each build is the generated code at -O2 -ffp-contract=off with the project's
board support (tests/targets/firmware.py); the count covers one call of
<name>_run() (plus two marker calls).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "targets"))
import firmware as fw  # noqa: E402

MODELS = ["mlperf-tiny-ic-resnet8-float", "mlperf-tiny-vww-mobilenetv1-float",
          "mlperf-tiny-kws-dscnn-qdq", "mlperf-tiny-ic-resnet8-qdq",
          "mlperf-tiny-vww-mobilenetv1-qdq", "mlperf-tiny-ad-autoencoder-qdq"]
BOARDS = [("mps2-an386", "Cortex-M4F"), ("mps3-an547", "Cortex-M55")]


def kb(n):
    return "–" if n is None else "%.1f" % (n / 1024.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--models", default=os.environ.get(
        "TINYMLC_MODELS", os.path.join(os.path.dirname(ROOT), "shared", "models")))
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--work", help="build here and keep the files")
    args = ap.parse_args()
    for board, _ in BOARDS:
        if fw.missing_tools(board):
            print("the cross tools for %s are missing (scripts/install-deps.sh cross)" % board)
            return 2
    tinymlc = os.path.abspath(args.tinymlc)
    work = args.work or tempfile.mkdtemp(prefix="tinymlc-bench-mcu-")
    plugin = fw.plugin(work)
    rows, reports, notes = [], [], []
    try:
        for model in MODELS:
            d = os.path.join(args.models, model)
            ref = json.load(open(os.path.join(d, "ref", "ref.json")))
            inputs = [open(os.path.join(d, "ref", i["file"]), "rb").read() for i in ref["inputs"]]
            for board, core in BOARDS:
                w = os.path.join(work, model, board)
                gen = os.path.join(w, "gen")
                try:
                    fw.compile_model(tinymlc, os.path.join(d, "model.onnx"), [], board, "m", gen)
                except RuntimeError as e:
                    notes.append("%s: does not compile yet (%s)" % (model, str(e)[:160]))
                    break
                runner = os.path.join(w, "runner.c")
                fw.write_runner(runner, "m", inputs, len(ref["outputs"]))
                exe = fw.build(board, gen, "m", runner, os.path.join(w, "build"))
                counts = set()
                for _ in range(2):  # deterministic: two runs must agree
                    rc, out, insns = fw.run(board, exe, count_with=plugin)
                    if rc != 0 or insns is None:
                        raise RuntimeError("%s on %s: exit %d\n%s" % (model, board, rc, out[-500:]))
                    counts.add(insns)
                if len(counts) != 1:
                    raise RuntimeError("%s on %s: counts differ between runs: %s"
                                       % (model, board, counts))
                r = fw.cost_report(tinymlc, board, exe, gen, "m", out)
                r["model"] = model
                r["instructions"] = insns
                reports.append(r)
                rows.append("| %s | %s (%s) | %s | %s | %.2f | %s | %s / %s | %s | %s / %s | %s / %s | %s |" % (
                    model, board, core, "{:,}".format(r["macs"]), "{:,}".format(insns),
                    insns / r["macs"], kb(r["flash"]["model_code_bytes"]),
                    kb(r["flash"]["weights_bytes"]), kb(r["flash"]["predicted_weights_bytes"]),
                    kb(r["flash"]["other_bytes"]), kb(r["memory"]["arena_bytes"]),
                    kb(r["memory"]["predicted_arena_bytes"]),
                    kb(r["memory"]["stack_peak_bytes"]), kb(r["memory"]["run_stack_bytes"]),
                    kb(r["memory"]["other_bytes"])))
                print(rows[-1], flush=True)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    os.makedirs(args.out, exist_ok=True)
    qemu = subprocess.run(["qemu-system-arm", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    gcc = subprocess.run(["arm-none-eabi-gcc", "--version"], capture_output=True,
                         text=True).stdout.splitlines()[0]
    md = ["# MLPerf Tiny on emulated Cortex-M (bench/mcu.py)", "",
          "Instructions per inference counted exactly by a TCG plugin "
          "(bench/qemu-plugin/insncount.c) under %s; identical in two runs. " % qemu +
          "Instruction counts are not cycles (no pipeline, cache, wait-state or MVE-beat model). "
          "Code: %s, -O2 -ffp-contract=off, the runtime-min kernels (float kernels "
          "portable; the int8 convolution and fully connected dot products use SMLAD on the "
          "M4F and vmladavaq_s16 on the M55). Sizes in KiB from the ELF "
          "(`tinymlc size` on the ELF and its linker map); \"pred.\" is the compiler's report.json. "
          "Code = the model's code and parameter tables; weights include alignment padding. "
          "Flash other = board start-up, console, runner with its bundled input, libc. "
          "Stack peak: painted under QEMU, the whole program (start-up, runner, console, libc); "
          "static: the worst case of m_run() from GCC's call graph (-fcallgraph-info=su; "
          "libm and libgcc frames not counted). "
          "RAM other = .data + .bss outside the arena (console buffer, libc)." % gcc, "",
          "| model | board | MACs | instructions | insns/MAC | code | weights / pred. "
          "| flash other | arena / pred. | stack peak / static | RAM other |",
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"] + rows
    if notes:
        md += [""] + ["- " + n for n in notes]
    md += ["", "onnx2c's figures on the same boards are not in this table: onnx2c is not "
           "installable here (no Debian package, no network).", ""]
    open(os.path.join(args.out, "mcu.md"), "w").write("\n".join(md))
    json.dump(reports, open(os.path.join(args.out, "mcu.json"), "w"), indent=1)
    print("wrote %s" % os.path.join(args.out, "mcu.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
