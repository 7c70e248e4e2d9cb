#!/usr/bin/python3
"""Runs one diagnostics case (tests/diagnostics/cases.py) against tinymlc.

    check_diagnostic.py TINYMLC CASE     check one case (exit 0 pass, 1 fail, 77 skip)
    check_diagnostic.py --list           print the case names, one per line
    check_diagnostic.py TINYMLC CASE --show
                                         print what tinymlc says, without checking

The case's inputs are built in a fresh temporary directory, which is also the
working directory of the run, so messages name files relative to it. The run
uses LC_ALL=C so that system error strings are the English ones pinned here.
"""

import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import cases  # noqa: E402

SKIP = 77
TIMEOUT = 120


def run_case(tinymlc, case, workdir):
    if case.build:
        case.build(workdir)
    env = dict(os.environ, LC_ALL="C")
    return subprocess.run([tinymlc] + case.argv, cwd=workdir, env=env, capture_output=True,
                          text=True, errors="replace", timeout=TIMEOUT)


def describe_exit(code):
    if code < 0:
        return "killed by signal %d" % -code
    return "exit code %d" % code


def check(case, proc):
    """The problems with a run, as text lines (empty: the run is as expected)."""
    problems = []
    codes = case.exit if isinstance(case.exit, tuple) else (case.exit,)
    if proc.returncode not in codes:
        problems.append("expected exit code %s, got %s" % (
            " or ".join(str(c) for c in codes), describe_exit(proc.returncode)))
    got = proc.stderr.splitlines()
    if case.stderr_re is not None:
        if len(got) > 1 or not re.fullmatch(case.stderr_re, got[0] if got else ""):
            problems.append("expected one stderr line matching %r" % case.stderr_re)
    elif got != case.stderr:
        problems.append("expected stderr:")
        problems += ["  | " + line for line in case.stderr] or ["  (nothing)"]
    if case.stdout:
        lines = proc.stdout.splitlines()
        at = 0
        for want in case.stdout:
            while at < len(lines) and lines[at] != want:
                at += 1
            if at == len(lines):
                problems.append("stdout lacks (in order): %r" % want)
                break
            at += 1
    if problems:
        problems.append("got stderr:")
        problems += ["  | " + line for line in got] or ["  (nothing)"]
        if case.stdout:
            problems.append("got stdout:")
            problems += ["  | " + line for line in proc.stdout.splitlines()]
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tinymlc", nargs="?", help="the tinymlc executable")
    ap.add_argument("case", nargs="?", help="the case name (see --list)")
    ap.add_argument("--list", action="store_true", help="print the case names and exit")
    ap.add_argument("--show", action="store_true", help="print the run's output, do not check")
    ap.add_argument("--no-skip", action="store_true", help="run a case marked skip anyway")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    if args.list:
        print("\n".join(c.name for c in cases.CASES))
        return 0
    if not args.tinymlc or not args.case:
        ap.error("give the tinymlc executable and a case name")
    case = cases.BY_NAME.get(args.case)
    if case is None:
        ap.error("no case named %r (see --list)" % args.case)
    if case.skip and not args.no_skip and not args.show:
        print("skipped: known bug: " + case.skip)
        return SKIP

    tinymlc = os.path.abspath(args.tinymlc)
    tmp = tempfile.mkdtemp(prefix="tinymlc-diag-")
    try:
        proc = run_case(tinymlc, case, pathlib.Path(tmp))
        print("$ (cd %s && tinymlc %s)" % (tmp, " ".join(case.argv)))
        if args.show:
            print(describe_exit(proc.returncode))
            print("stderr:\n" + proc.stderr + "stdout:\n" + proc.stdout)
            return 0
        problems = check(case, proc)
        if problems:
            print("FAIL %s" % case.name)
            print("\n".join(problems))
            return 1
        print("ok %s: %s" % (case.name, describe_exit(proc.returncode)))
        return 0
    finally:
        if args.keep:
            print("kept " + tmp)
        else:
            import shutil
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
