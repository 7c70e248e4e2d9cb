#!/usr/bin/python3
"""ONNX conformance suite for tinymlc.

Each case of Debian's libonnx-testdata (a model.onnx with test_data_set_0/
input_K.pb and output_K.pb) is compiled, built and run on the host with
`tinymlc run`, and the outputs are compared with the expected ones:
floats within |got - ref| <= 1e-4 + 1e-3 * |ref| (NaN matches NaN), integers
and booleans exactly.

Inputs that decide shapes (Reshape's shape, Squeeze's axes, Pad's pads, ...)
are bound as constants with --const, as a user pins them.

The run fails if a case listed in expected_pass.txt does not pass; the list
only grows (--update-expected adds new passes). --report writes REPORT.md.

Usage: run_conformance.py --tinymlc build/compiler/tinymlc [--jobs N]
       [--suites node,simple,...] [--filter REGEX] [--report REPORT.md]
       [--update-expected]
"""
import argparse
import collections
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]

# Node inputs (by position) that decide output shapes: a graph input feeding
# one of these is bound with --const.
SHAPE_INPUTS = {
    "Reshape": [1], "Expand": [1], "Tile": [1], "Squeeze": [1], "Unsqueeze": [1],
    "Pad": [1, 2], "Slice": [1, 2, 3, 4], "TopK": [1], "Range": [0, 1, 2],
    "ConstantOfShape": [0], "OneHot": [1], "Resize": [1, 2, 3], "Upsample": [1],
    "Split": [1], "CumSum": [1], "Dropout": [1, 2],
    "Trilu": [1], "MaxUnpool": [2], "DFT": [1], "STFT": [1, 2, 3],
    "HannWindow": [0], "HammingWindow": [0], "BlackmanWindow": [0],
    "MelWeightMatrix": [0, 1, 2, 3, 4], "ReduceSum": [1], "ReduceMean": [1],
    "ReduceMax": [1], "ReduceMin": [1], "ReduceProd": [1], "ReduceL1": [1],
    "ReduceL2": [1], "ReduceLogSum": [1], "ReduceLogSumExp": [1],
    "ReduceSumSquare": [1], "CenterCropPad": [1], "Col2Im": [1, 2],
    "Compress": [1], "NonZero": [0], "Unique": [0], "NonMaxSuppression": [0, 1, 2, 3, 4],
    "If": [0], "Loop": [0, 1],
}

# Ops with no meaning for a static-memory inference compiler, and why.
NOT_APPLICABLE = {
    "SequenceMap": "sequences", "SequenceEmpty": "sequences", "SequenceLength": "sequences",
    "SequenceInsert": "sequences", "SequenceAt": "sequences", "SequenceConstruct": "sequences",
    "SequenceErase": "sequences", "SplitToSequence": "sequences",
    "ConcatFromSequence": "sequences",
    "OptionalGetElement": "optional types", "OptionalHasElement": "optional types",
    "Optional": "optional types",
    "StringNormalizer": "strings", "TfIdfVectorizer": "strings",
    "RandomUniformLike": "random number generators", "RandomNormalLike": "random number generators",
    "RandomUniform": "random number generators", "RandomNormal": "random number generators",
    "Bernoulli": "random number generators", "Multinomial": "random number generators",
    "Adagrad": "training ops", "Adam": "training ops", "Momentum": "training ops",
    "Gradient": "training ops",
}


def snake_key(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def primary_op(case, ops):
    """The op a case is about: the op whose name best matches the case name."""
    key = snake_key(case[len("test_"):] if case.startswith("test_") else case)
    best, best_len = None, -1
    for op in ops:
        k = snake_key(op)
        n = 0
        while n < min(len(k), len(key)) and k[n] == key[n]:
            n += 1
        if n > best_len:
            best, best_len = op, n
    if best is None:
        return "(none)"
    return best + (" (expanded)" if "_expanded" in case else "")


def all_ops(graph):
    ops = []
    for n in graph.node:
        ops.append(n.op_type if n.domain in ("", "ai.onnx") else n.domain + "." + n.op_type)
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                ops += all_ops(a.g)
            elif a.type == onnx.AttributeProto.GRAPHS:
                for g in a.graphs:
                    ops += all_ops(g)
    return ops


def load_proto_tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t


def run_case(args, suite, case, workroot):
    """Returns (status, detail, primary op, ops)."""
    d = os.path.join(args.data, suite, case)
    model_path = os.path.join(d, "model.onnx")
    try:
        model = onnx.load(model_path)
    except Exception as e:  # noqa: BLE001 - any load failure is reported
        return "error", "cannot load model: %s" % e, "(none)", []
    ops = all_ops(model.graph)
    distinct = sorted(set(ops))
    prim = primary_op(case, [o for o in dict.fromkeys(ops) if o != "Constant"] or ["Constant"])
    for op in distinct:
        bare = op.rsplit(".", 1)[-1]
        if bare in NOT_APPLICABLE:
            return "n/a", NOT_APPLICABLE[bare], prim, distinct
    for vi in list(model.graph.input) + list(model.graph.output):
        if not vi.type.HasField("tensor_type"):
            return "n/a", "sequence, map or optional inputs and outputs", prim, distinct
        if vi.type.tensor_type.elem_type == onnx.TensorProto.STRING:
            return "n/a", "strings", prim, distinct
    for n in model.graph.node:
        if n.op_type == "BatchNormalization" and any(
                a.name == "training_mode" and a.i for a in n.attribute):
            return "n/a", "training ops (BatchNormalization in training mode)", prim, distinct
        if n.op_type == "Dropout" and len(n.input) > 2 and n.input[2] and not case.endswith(
                ("zero_ratio", "zero_ratio_mask")):
            return "n/a", "random number generators (Dropout in training mode)", prim, distinct
    data_dir = os.path.join(d, "test_data_set_0")
    inits = {i.name for i in model.graph.initializer}
    graph_inputs = [i.name for i in model.graph.input if i.name not in inits]
    const_positions = collections.defaultdict(set)
    nodes = list(model.graph.node)
    # An _expanded case is its op's function body: bind what the op's own
    # case binds (its graph inputs have the same names).
    if case.endswith("_expanded"):
        plain = os.path.join(args.data, suite, case[:-len("_expanded")], "model.onnx")
        if os.path.exists(plain):
            nodes += list(onnx.load(plain).graph.node)
    for n in nodes:
        for pos in SHAPE_INPUTS.get(n.op_type, []):
            if pos < len(n.input) and n.input[pos]:
                const_positions[n.input[pos]].add(n.op_type)
    in_files = sorted(f for f in os.listdir(data_dir) if f.startswith("input_"))
    in_files.sort(key=lambda f: int(re.findall(r"\d+", f)[0]))
    out_files = sorted((f for f in os.listdir(data_dir) if f.startswith("output_")),
                       key=lambda f: int(re.findall(r"\d+", f)[0]))
    cmd = [args.tinymlc, "run", model_path, "--name", "m"]
    for k, f in enumerate(in_files):
        path = os.path.join(data_dir, f)
        try:
            name = load_proto_tensor(path).name
        except Exception:  # noqa: BLE001
            return "n/a", "input %s is not a tensor (sequence or optional)" % f, prim, distinct
        if not name and k < len(graph_inputs):
            name = graph_inputs[k]
        if name in const_positions:
            cmd += ["--const", "%s=%s" % (name, path)]
        else:
            cmd += ["--input", "%s=%s" % (name, path)]
    out_dir = tempfile.mkdtemp(dir=workroot)
    cmd += ["--output-dir", out_dir]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return "crash", "timeout after %ds" % args.timeout, prim, distinct
    finally:
        pass
    if r.returncode != 0:
        msg = (r.stderr.strip().splitlines() or ["(no message)"])[0]
        msg = msg.replace(d + "/", "")
        shutil.rmtree(out_dir, ignore_errors=True)
        if r.returncode == 1 and "tinymlc bug" not in r.stderr and "internal error" not in r.stderr:
            return "unsupported", msg, prim, distinct
        return "crash", "exit %d: %s" % (r.returncode, msg), prim, distinct
    try:
        for k, f in enumerate(out_files):
            try:
                ref_t = load_proto_tensor(os.path.join(data_dir, f))
                ref = numpy_helper.to_array(ref_t)
            except Exception:  # noqa: BLE001
                return "n/a", "output %s is not a tensor" % f, prim, distinct
            name = model.graph.output[k].name
            fname = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
            if fname in ("", ".", ".."):
                fname = "_" + fname
            got_path = os.path.join(out_dir, fname + ".bin")
            if not os.path.exists(got_path):
                return "fail", "output '%s' was not written" % name, prim, distinct
            got = np.fromfile(got_path, dtype=ref.dtype)
            if got.size != ref.size:
                return "fail", "output '%s' has %d elements, expected %d %s" % (
                    name, got.size, ref.size, list(ref.shape)), prim, distinct
            ref = ref.reshape(-1)
            if ref.dtype.kind == "f":
                g64, r64 = got.astype(np.float64), ref.astype(np.float64)
                both_nan = np.isnan(g64) & np.isnan(r64)
                same_inf = np.isinf(r64) & (g64 == r64)
                with np.errstate(invalid="ignore"):
                    ok = (np.abs(g64 - r64) <= 1e-4 + 1e-3 * np.abs(r64)) | both_nan | same_inf
                if not ok.all():
                    i = int(np.argmin(ok))
                    return "fail", "output '%s'[%d] = %r, expected %r (%d of %d differ)" % (
                        name, i, got[i], ref[i], int((~ok).sum()), ok.size), prim, distinct
            else:
                if not np.array_equal(got, ref):
                    i = int(np.argmax(got != ref))
                    return "fail", "output '%s'[%d] = %r, expected %r" % (
                        name, i, got[i], ref[i]), prim, distinct
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return "pass", "", prim, distinct


def read_expected(path):
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        return {l.strip() for l in f if l.strip() and not l.startswith("#")}


def write_expected(path, cases):
    with open(path, "w") as f:
        f.write("# Conformance cases that pass; the suite fails if one stops passing.\n")
        f.write("# Regenerate with tests/conformance/run_conformance.py --update-expected\n")
        for c in sorted(cases):
            f.write(c + "\n")


def write_report(path, results, args):
    by_suite = collections.OrderedDict((s, collections.Counter()) for s in args.suites)
    by_op = collections.defaultdict(collections.Counter)
    for (suite, case), (status, detail, prim, ops) in sorted(results.items()):
        by_suite[suite][status] += 1
        by_op[prim][status] += 1
    cols = ["pass", "fail", "unsupported", "crash", "n/a"]
    lines = ["# tinymlc on the ONNX conformance suite", "",
             "Generated by `tests/conformance/run_conformance.py --report` from Debian's "
             "libonnx-testdata; do not edit.", "",
             "A case passes when `tinymlc run` builds it warning-free and every output matches "
             "(floats within 1e-4 + 1e-3*|ref|, integers exactly). *unsupported*: tinymlc "
             "refused it with a located error. *n/a*: sequences, optional types, strings, "
             "random number generators or training ops, which have no meaning in a "
             "static-memory inference compiler.", "",
             "| suite | cases | " + " | ".join(cols) + " |",
             "|---|---:|" + "---:|" * len(cols)]
    for s, c in by_suite.items():
        lines.append("| %s | %d | %s |" % (s, sum(c.values()), " | ".join(str(c[k]) for k in cols)))
    total = collections.Counter()
    for c in by_suite.values():
        total.update(c)
    lines.append("| **all** | %d | %s |" % (sum(total.values()), " | ".join(str(total[k]) for k in cols)))
    lines += ["", "## Per op", "",
              "Each case is counted under the op it tests (the op whose name matches the case "
              "name; `_expanded` cases are the op's function body).", "",
              "| op | cases | " + " | ".join(cols) + " |", "|---|---:|" + "---:|" * len(cols)]
    for op in sorted(by_op):
        c = by_op[op]
        lines.append("| %s | %d | %s |" % (op, sum(c.values()), " | ".join(str(c[k]) for k in cols)))
    lines += ["", "## Cases that do not pass", "", "| case | status | reason |", "|---|---|---|"]
    for (suite, case), (status, detail, prim, ops) in sorted(results.items()):
        if status != "pass":
            lines.append("| %s/%s | %s | %s |" % (suite, case, status,
                                                 detail.replace("|", "\\|")[:200]))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--data", default=os.environ.get("TINYMLC_ONNX_TESTDATA", DEFAULT_DATA))
    ap.add_argument("--suites", default=",".join(SUITES))
    ap.add_argument("--filter", default="")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--expected", default=os.path.join(HERE, "expected_pass.txt"))
    ap.add_argument("--update-expected", action="store_true")
    ap.add_argument("--report", default="")
    args = ap.parse_args()
    args.suites = [s for s in args.suites.split(",") if s]
    args.tinymlc = os.path.abspath(args.tinymlc)
    if not os.path.isdir(args.data):
        print("error: ONNX test data not found at %s (install libonnx-testdata)" % args.data)
        return 1
    cases = []
    for s in args.suites:
        for c in sorted(os.listdir(os.path.join(args.data, s))):
            if re.search(args.filter, s + "/" + c):
                cases.append((s, c))
    expected = read_expected(args.expected)
    results = {}
    start = time.time()
    workroot = tempfile.mkdtemp(prefix="tinymlc-conformance-")
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            futs = {ex.submit(run_case, args, s, c, workroot): (s, c) for s, c in cases}
            for fut in concurrent.futures.as_completed(futs):
                results[futs[fut]] = fut.result()
    finally:
        shutil.rmtree(workroot, ignore_errors=True)
    elapsed = time.time() - start

    counts = collections.Counter(r[0] for r in results.values())
    passed = {"%s/%s" % k for k, r in results.items() if r[0] == "pass"}
    ran = {"%s/%s" % k for k in results}
    regressions = sorted((expected & ran) - passed)
    new = sorted(passed - expected)
    by_op = collections.defaultdict(collections.Counter)
    for k, r in results.items():
        by_op[r[2]][r[0]] += 1
    print("%-34s %6s %6s %6s %6s %6s" % ("op", "pass", "fail", "unsup", "crash", "n/a"))
    for op in sorted(by_op):
        c = by_op[op]
        print("%-34s %6d %6d %6d %6d %6d" % (op[:34], c["pass"], c["fail"], c["unsupported"],
                                            c["crash"], c["n/a"]))
    for k, r in sorted(results.items()):
        if r[0] in ("fail", "crash"):
            print("%s %s/%s: %s" % (r[0].upper(), k[0], k[1], r[1]))
    if args.report:
        write_report(args.report, results, args)
    if args.update_expected:
        write_expected(args.expected, (expected - ran) | passed | (expected & ran & passed))
    print()
    print("conformance: %d cases in %.0fs: %d passed, %d failed, %d unsupported, %d crashed, "
          "%d not applicable" % (len(results), elapsed, counts["pass"], counts["fail"],
                                 counts["unsupported"], counts["crash"], counts["n/a"]))
    if new and not args.update_expected:
        print("%d cases pass that are not in %s yet (run with --update-expected):"
              % (len(new), os.path.relpath(args.expected)))
        for c in new[:20]:
            print("  " + c)
    if regressions:
        print("REGRESSIONS: %d expected passes no longer pass:" % len(regressions))
        for c in regressions:
            print("  %s: %s" % (c, results[tuple(c.split("/", 1))][1]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
