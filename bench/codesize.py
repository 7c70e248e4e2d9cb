#!/usr/bin/python3
"""Generated source size: for every model in ../shared/models, the bytes of
<name>_weights.cpp per byte of weights (the bar: under 3), and the size of the
code a reviewer reads (<name>.h and <name>.cpp: lines and bytes, no weights,
no runtime headers). Writes bench/results/codesize.md.

Usage: bench/codesize.py --tinymlc build/compiler/tinymlc
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import models, model_options  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinymlc", required=True)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "results", "codesize.md"))
    args = ap.parse_args()
    tinymlc = os.path.abspath(args.tinymlc)
    rows, worst = [], 0.0
    for name, path in models():
        out = tempfile.mkdtemp(prefix="tinymlc-codesize-")
        try:
            r = subprocess.run([tinymlc, "compile", path, "-o", out, "--name", "m", "-q"] +
                               model_options(name), capture_output=True, text=True)
            if r.returncode != 0:
                rows.append("| %s | does not compile: %s ||||||||" % (
                    name, (r.stderr.strip().splitlines() or ["?"])[0][:90].replace("|", "\\|")))
                continue
            report = json.load(open(os.path.join(out, "m.report.json")))
            wbytes = report["flash"]["weights_bytes"]
            wtext = open(os.path.join(out, "m_weights.cpp")).read()
            wsrc = len(wtext.encode())
            # The lines that hold values (not comments or declarations).
            data = sum(len(l) + 1 for l in wtext.splitlines()
                       if l and not l.startswith(("//", "#", "extern", "alignas"))
                       and not l.endswith("={"))
            code = [open(os.path.join(out, f)).read() for f in ("m.h", "m.cpp")]
            lines = sum(len(c.splitlines()) for c in code)
            cbytes = sum(len(c.encode()) for c in code)
            dtypes = sorted({w["dtype"] for op in report["ops"] for w in op["weights"]})
            ratio = wsrc / wbytes if wbytes else 0.0
            worst = max(worst, ratio)
            rows.append("| %s | %d | %s | %s | %s | %.3f%s | %.3f | %s | %s |" % (
                name, len(report["ops"]), ", ".join(dtypes), "{:,}".format(wbytes),
                "{:,}".format(wsrc), ratio, "" if ratio < 3 else " (over 3)",
                data / wbytes if wbytes else 0.0, "{:,}".format(lines), "{:,}".format(cbytes)))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    text = ["# Generated source size", "",
            "`bench/codesize.py --tinymlc build/compiler/tinymlc`: every model in ../shared/models "
            "compiled with `--name m` (and the pins in bench/models.py). Weights source: bytes of "
            "`m_weights.cpp` (comments and declarations included) per byte of weights; the bar "
            "is under 3. Code: `m.h` + `m.cpp`, what a reviewer reads (no weights, no runtime "
            "headers). Data only: the value lines alone (no comments or declarations) per "
            "weight byte.", "",
            "| model | ops | weight dtypes | weight bytes | weights source bytes | source/weight "
            "| data only | code lines | code bytes |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|"] + rows + [
            "", "Worst source bytes per weight byte: %.3f. Values print as `uint64_t` hex words, "
            "five to a line (2.4 bytes of text per byte); each tensor adds about 80 bytes "
            "(its comment and declarator) and the file about 220, which is what lifts the "
            "smallest models above 2.4." % worst, ""]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    open(args.out, "w").write("\n".join(text))
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
