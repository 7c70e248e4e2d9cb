#!/usr/bin/python3
"""Reproducible bytes: every golden case and every float real model compiles
twice, from different working directories, output paths, model paths (a copy
of the model under another directory), TZ, LANG/LC_ALL, HOME and extra
environment variables, and every output file must be byte-identical.

The float models and the flags they need come from run_models.py (those marked
required). Exit code 77 (ctest: skipped) when the models directory is missing;
the golden cases alone are covered by check_golden.py.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "golden"))
import run_models  # noqa: E402
import check_golden  # noqa: E402


def compile_tree(tinymlc, model, extra, outdir, cwd, env):
    r = subprocess.run([tinymlc, "compile", model, "-o", outdir, "-q"] + extra, cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError("tinymlc failed: " + r.stderr.strip())
    outdir = os.path.join(cwd, outdir)
    return {f: open(os.path.join(outdir, f), "rb").read() for f in sorted(os.listdir(outdir))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--models", default=os.environ.get(
        "TINYMLC_MODELS", os.path.join(os.path.dirname(ROOT), "shared", "models")))
    ap.add_argument("--only", help="comma-separated case or model names")
    args = ap.parse_args()
    tinymlc = os.path.abspath(args.tinymlc)
    cases = [("golden:" + c, m, e) for c, (m, e) in sorted(check_golden.CASES.items())]
    have_models = os.path.isdir(args.models)
    if have_models:
        for name, extra, status in run_models.MODELS:
            if status != "required":
                continue
            folder, _, file = name.partition(":")
            ref = os.path.join(args.models, folder, "ref")
            extra = [a.replace("{ref}", ref) for a in extra]
            cases.append((name, os.path.join(args.models, folder, file or "model.onnx"), extra))
    if args.only:
        keep = set(args.only.split(","))
        cases = [c for c in cases if c[0] in keep or c[0].split(":", 1)[-1] in keep]
    work = tempfile.mkdtemp(prefix="tinymlc-repro-")
    failures = 0
    try:
        for label, model, extra in cases:
            env1 = dict(os.environ, TZ="UTC", LANG="C", LC_ALL="C")
            env2 = dict(os.environ, TZ="Pacific/Kiritimati", LANG="de_DE.UTF-8",
                        LC_ALL="de_DE.UTF-8", LC_NUMERIC="de_DE.UTF-8", SOURCE_DATE_EPOCH="1",
                        HOME=os.path.join(work, "home"), TINYMLC_UNUSED="x" * 100,
                        USER="someone-else")
            tag = label.replace(":", "_")
            d1 = os.path.join(work, tag, "a")
            other = os.path.join(work, "elsewhere", tag, "deeper")
            d2 = os.path.join(other, "out", "b")
            os.makedirs(d2)
            # The same model bytes under another path (the file name is kept:
            # the manifest records it).
            model2 = os.path.join(other, "models", os.path.basename(model))
            os.makedirs(os.path.dirname(model2))
            shutil.copyfile(model, model2)
            try:
                a = compile_tree(tinymlc, model, extra, d1, work, env1)
                b = compile_tree(tinymlc, model2, extra, os.path.relpath(d2, other), other, env2)
            except RuntimeError as e:
                print("FAIL %s: %s" % (label, e))
                failures += 1
                continue
            if a == b:
                print("ok   %s (%d files, %d bytes)" % (label, len(a), sum(map(len, a.values()))))
                continue
            failures += 1
            bad = sorted(f for f in set(a) | set(b) if a.get(f) != b.get(f))
            print("FAIL %s: not byte-identical: %s" % (label, ", ".join(bad)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not have_models:
        print("SKIPPED the real models: no models directory at %s; set TINYMLC_MODELS" %
              args.models)
        return 1 if failures else 77
    print("reproducible: %d of %d cases differ" % (failures, len(cases)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
