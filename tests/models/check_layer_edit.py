#!/usr/bin/python3
"""Local diffs: widen one Conv of a real model and check what changes.

For each (model, conv) below, writes a copy of the model whose Conv has more
output channels (its weight and bias grow; the consuming Conv's weight grows
along its input channels; new values are seeded random), compiles both, and
checks that
  - <name>.cpp changes only in the blocks of the edited layer and of layers
    whose shapes changed; in any other block, and in the API functions, only
    arena offsets ("@N", "arena + N") may differ; in the prologue only the
    declarations of the changed weights and the arena size;
  - <name>.h changes only in its size, MAC and offset macros;
  - <name>_weights.cpp changes only in the changed tensors (and its size line);
  - `tinymlc diff` of the two generated directories reports the RAM, flash and
    MAC figures and deltas exactly as the two report.json files give them, and
    lists the edited layer and its consumer as reshaped and no other layer;
  - `tinymlc diff --fail-on macs>+0` exits 1 naming the budget, and
    `--input` on the two models reports their output differences.
Exit code 77 when the models directory is missing.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# model folder, the Conv to widen, new output channels, the Conv that consumes it
EDITS = [
    ("digits-cnn", "/c1/Conv", 24, "/c2/Conv"),
    ("resnet8-cifar-random", "/s2/c1/Conv", 48, "/s2/c2/Conv"),
]


def widen(src, dst, conv, channels, consumer):
    import onnx
    from onnx import numpy_helper
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    nodes = {n.name: n for n in g.node}
    rng = np.random.default_rng(7)

    def replace(name, arr):
        t = numpy_helper.from_array(arr.astype(np.float32), name)
        inits[name].CopyFrom(t)

    w = numpy_helper.to_array(inits[nodes[conv].input[1]])
    extra = channels - w.shape[0]
    replace(nodes[conv].input[1], np.concatenate(
        [w, rng.normal(0, 0.1, (extra,) + w.shape[1:])], 0))
    if len(nodes[conv].input) > 2:
        b = numpy_helper.to_array(inits[nodes[conv].input[2]])
        replace(nodes[conv].input[2], np.concatenate([b, rng.normal(0, 0.1, extra)]))
    w2 = numpy_helper.to_array(inits[nodes[consumer].input[1]])
    replace(nodes[consumer].input[1], np.concatenate(
        [w2, rng.normal(0, 0.1, (w2.shape[0], extra) + w2.shape[2:])], 1))
    # Drop stale intermediate shape annotations; shapes are inferred again.
    del g.value_info[:]
    onnx.save(m, dst)
    return [nodes[conv].input[1], nodes[conv].input[2], nodes[consumer].input[1]]


def compile_to(tinymlc, model, out):
    r = subprocess.run([tinymlc, "compile", model, "-o", out, "-q", "--name", "m"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("tinymlc compile failed: " + r.stderr)
    return {f: open(os.path.join(out, f)).read() for f in os.listdir(out)}


OFFSET = re.compile(r"@\d+|arena(_\w+)? \+ \d+")


def blocks(text):
    """<name>.cpp as (title, lines) blocks: the prologue, one per op, the epilogue."""
    out = [("(prologue)", [])]
    for line in text.splitlines():
        m = re.match(r"  // \w+ '(.*)' -+$", line)
        if m:
            out.append((m.group(1), []))
        elif line.startswith('extern "C" void *') and out[-1][0] != "(epilogue)":
            out.append(("(epilogue)", []))
        out[-1][1].append(line)
    return out


def tensor_blocks(text):
    out = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r"// '(.*)' \w+\[", line)
        if m:
            cur = m.group(1)
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


def sanitize(name):
    """The emitter's symbol part: non-identifier characters to '_', runs collapsed."""
    s = "".join(c if (c.isalnum() or c == "_") else "_" for c in name)
    return re.sub("_+", "_", s).strip("_") or "tensor"


def check_edit(tinymlc, models, work, folder, conv, channels, consumer):
    problems = []
    src = os.path.join(models, folder, "model.onnx")
    edited = os.path.join(work, folder + "-wide.onnx")
    changed_tensors = widen(src, edited, conv, channels, consumer)
    a = compile_to(tinymlc, src, os.path.join(work, folder, "old"))
    b = compile_to(tinymlc, edited, os.path.join(work, folder, "new"))
    ra, rb = json.loads(a["m.report.json"]), json.loads(b["m.report.json"])
    # Layers whose shapes changed (the report's per-layer entries).
    def sig(op):
        return json.dumps([op["inputs"], [(o["dtype"], o["shape"]) for o in op["outputs"]],
                           [(w["dtype"], w["shape"]) for w in op["weights"]]])
    old_ops = {op["name"]: op for op in ra["ops"]}
    reshaped = sorted(op["name"] for op in rb["ops"] if sig(op) != sig(old_ops[op["name"]]))
    allowed = {conv, consumer}
    if set(reshaped) - allowed:
        problems.append("layers reshaped besides %s and %s: %s" % (
            conv, consumer, sorted(set(reshaped) - allowed)))

    # <name>.cpp
    ba, bb = blocks(a["m.cpp"]), blocks(b["m.cpp"])
    if [t for t, _ in ba] != [t for t, _ in bb]:
        problems.append("m.cpp: the op order changed")
    code_changed = 0
    symbols = {"m_" + sanitize(t) for t in changed_tensors}
    for (title, la), (_, lb) in zip(ba, bb):
        if la == lb:
            continue
        diff = [(x, y) for x, y in zip(la, lb) if x != y] + (
            [("", "")] if len(la) != len(lb) else [])
        code_changed += len(diff)
        if title in reshaped:
            continue
        if title == "(prologue)":
            for x, y in diff:
                ok = any(s + "[" in y for s in symbols) or "_arena[" in y
                if not ok:
                    problems.append("m.cpp prologue: unexpected change %r -> %r" % (x, y))
            continue
        for x, y in diff:
            if OFFSET.sub("@", x) != OFFSET.sub("@", y):
                problems.append("m.cpp block '%s' (not reshaped): %r -> %r" % (title, x, y))
    # <name>.h: only size/MAC/offset macros and the offsets in I/O comments.
    for x, y in zip(a["m.h"].splitlines(), b["m.h"].splitlines()):
        if x != y and not re.match(r"#define M_(ARENA_SIZE|WEIGHTS_SIZE|MACS|(IN|OUT)PUT_\d+_OFFSET)"
                                   r" \d+$", y) and not (y.startswith("/* ") and "offset" in y):
            problems.append("m.h: unexpected change %r -> %r" % (x, y))
    # <name>_weights.cpp
    ta, tb = tensor_blocks(a["m_weights.cpp"]), tensor_blocks(b["m_weights.cpp"])
    if sorted(ta) != sorted(tb):
        problems.append("m_weights.cpp: the set of tensors changed")
    moved = sorted(t for t in tb if ta.get(t) != tb[t])
    if set(moved) != set(changed_tensors):
        problems.append("m_weights.cpp: tensors changed %s, expected %s" % (moved, changed_tensors))

    # tinymlc diff on the two directories
    r = subprocess.run([tinymlc, "diff", os.path.join(work, folder, "old"),
                        os.path.join(work, folder, "new")], capture_output=True, text=True)
    if r.returncode != 0:
        problems.append("tinymlc diff failed: " + r.stderr)
    text = r.stdout

    def fmt(v):
        return "{:,}".format(v)

    def row(label, o, n, unit):
        d = n - o
        sign = "+" if d > 0 else ""
        pct = "0%" if d == 0 else "%+.2f%%" % (100.0 * d / o)
        want = [label, fmt(o) + unit, fmt(n) + unit, sign + fmt(d) + unit, pct]
        for line in text.splitlines():
            if line.split() == " ".join(want).split():
                return
        problems.append("tinymlc diff: no row %r" % " | ".join(want))
    row("RAM (arena)", ra["memory"]["arena_bytes"], rb["memory"]["arena_bytes"], " B")
    fo = ra["flash"]["weights_bytes"] + ra["flash"]["code_estimate_bytes"]
    fn = rb["flash"]["weights_bytes"] + rb["flash"]["code_estimate_bytes"]
    row("flash", fo, fn, " B")
    row("weights", ra["flash"]["weights_bytes"], rb["flash"]["weights_bytes"], " B")
    row("code (estimate)", ra["flash"]["code_estimate_bytes"], rb["flash"]["code_estimate_bytes"],
        " B")
    row("MACs", ra["macs"], rb["macs"], "")
    layers = text.split("\nLayers (", 1)[-1].split("\nTensors whose", 1)[0]
    listed = sorted(set(re.findall(r"^\s+reshaped\s+\w+\s+(\S+)", layers, re.M)))
    if listed != reshaped:
        problems.append("tinymlc diff lists reshaped layers %s, the reports say %s" % (
            listed, reshaped))
    if re.search(r"^\s+(added|removed|weights|re-quantised|op changed)\s", layers, re.M):
        problems.append("tinymlc diff lists other layer changes:\n" + text)

    # --fail-on and --input on the two models
    r = subprocess.run([tinymlc, "diff", src, edited, "--fail-on", "ram>+1000%,macs>+0",
                        "--format", "markdown", "--input",
                        os.path.join(models, folder, "ref", "input_0.bin")],
                       capture_output=True, text=True)
    if r.returncode != 1 or "budget 'macs>+0' exceeded" not in r.stderr or "ram>" in r.stderr:
        problems.append("diff --fail-on: exit %d, stderr %r" % (r.returncode, r.stderr))
    if "### Outputs on the given inputs" not in r.stdout:
        problems.append("diff --input: no output comparison in:\n" + r.stdout)
    total = sum(len(v.splitlines()) for k, v in a.items() if k in ("m.cpp", "m.h"))
    return problems, reshaped, code_changed, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--models", default=os.environ.get(
        "TINYMLC_MODELS", os.path.join(os.path.dirname(ROOT), "shared", "models")))
    args = ap.parse_args()
    if not os.path.isdir(args.models):
        print("SKIPPED: no models directory at %s; set TINYMLC_MODELS" % args.models)
        return 77
    tinymlc = os.path.abspath(args.tinymlc)
    work = tempfile.mkdtemp(prefix="tinymlc-edit-")
    failures = 0
    try:
        for folder, conv, channels, consumer in EDITS:
            problems, reshaped, changed, total = check_edit(tinymlc, args.models, work, folder,
                                                            conv, channels, consumer)
            if problems:
                failures += 1
                print("FAIL %s (%s -> %d channels):" % (folder, conv, channels))
                for p in problems[:20]:
                    print("  " + p)
            else:
                print("ok   %s: %s -> %d channels; reshaped %s; %d of %d code lines changed" % (
                    folder, conv, channels, ", ".join(reshaped), changed, total))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
