#!/usr/bin/python3
"""Mutated models never crash tinymlc.

Takes a small valid model (Conv, BatchNormalization, Relu, MaxPool, Reshape,
Gemm, Softmax), makes COUNT mutated copies with a seeded generator (bytes
flipped, the file cut at a random point, or both) and compiles each. Every run
must end with exit code 0, 1 or 2, and a failing run must print exactly one
line, starting with "error: ". A signal, an assert or a stack trace fails the
test.

    fuzz_models.py TINYMLC [--count 50] [--seed 1] [--only N] [--keep DIR]

--only N reruns one mutant; --keep DIR writes the mutants there to reproduce.
"""

import argparse
import os
import pathlib
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import cases  # noqa: E402


def base_model():
    import numpy as np
    _, helper, _, _ = cases._onnx()
    rng = np.random.RandomState(0)
    f32 = np.float32
    inits = [
        cases.array("w", rng.randn(2, 1, 3, 3).astype(f32)),
        cases.array("b", rng.randn(2).astype(f32)),
        cases.array("scale", np.array([1.0, 0.5], f32)),
        cases.array("bias", np.array([0.1, -0.1], f32)),
        cases.array("mean", np.array([0.0, 0.2], f32)),
        cases.array("var", np.array([1.0, 2.0], f32)),
        cases.array("shape", np.array([1, -1], np.int64)),
        cases.array("fc_w", rng.randn(8, 3).astype(f32)),
        cases.array("fc_b", rng.randn(3).astype(f32)),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["n"],
                         name="bn", epsilon=1e-5),
        helper.make_node("Relu", ["n"], ["r"], name="relu"),
        helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Reshape", ["p", "shape"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["g"], name="fc"),
        helper.make_node("Softmax", ["g"], ["y"], name="softmax", axis=1),
    ]
    return cases.make_model(nodes, [cases.tensor("x", [1, 1, 4, 4])],
                            [cases.tensor("y", [1, 3])], inits)


def mutate(data, rng):
    """A mutated copy of `data` and a description of what was done."""
    data = bytearray(data)
    kind = rng.choice(["flip", "truncate", "flip+truncate"])
    what = []
    if "flip" in kind:
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(data))
            data[at] ^= rng.randint(1, 255)
            what.append("byte %d" % at)
    if "truncate" in kind:
        cut = rng.randrange(1, len(data))
        data = data[:cut]
        what.append("cut at %d" % cut)
    return bytes(data), kind + " (" + ", ".join(what) + ")"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tinymlc")
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", type=int, help="run only mutant N")
    ap.add_argument("--keep", help="write the mutants into this directory")
    args = ap.parse_args()

    tinymlc = os.path.abspath(args.tinymlc)
    original = base_model().SerializeToString()
    rng = random.Random(args.seed)
    mutants = [mutate(original, rng) for _ in range(args.count)]
    env = dict(os.environ, LC_ALL="C")
    failures, outcomes = [], {}
    with tempfile.TemporaryDirectory(prefix="tinymlc-fuzz-") as tmp:
        work = pathlib.Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        for i, (data, what) in enumerate(mutants):
            if args.only is not None and i != args.only:
                continue
            name = "mutant%02d.onnx" % i
            (work / name).write_bytes(data)
            try:
                proc = subprocess.run([tinymlc, "compile", name, "-o", "out%02d" % i, "-q"],
                                      cwd=work, env=env, capture_output=True, text=True,
                                      errors="replace", timeout=120)
            except subprocess.TimeoutExpired:
                failures.append("%s: %s: timed out" % (name, what))
                continue
            rc = proc.returncode
            lines = proc.stderr.splitlines()
            outcomes[rc] = outcomes.get(rc, 0) + 1
            if rc not in (0, 1, 2):
                reason = "killed by signal %d" % -rc if rc < 0 else "exit code %d" % rc
            elif rc != 0 and (len(lines) != 1 or not lines[0].startswith("error: ")):
                reason = "exit code %d without a one-line 'error: ' message" % rc
            else:
                continue
            failures.append("%s: %s: %s\n    %s" % (name, what, reason,
                                                   "\n    ".join(lines[-5:])))
    print("%d mutants (seed %d), exit codes: %s" % (
        sum(outcomes.values()), args.seed,
        ", ".join("%d x%d" % (k, v) for k, v in sorted(outcomes.items()))))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
