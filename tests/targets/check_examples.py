#!/usr/bin/python3
"""Builds the firmware examples from clean directories with the CMake
function and the toolchain file, runs them under QEMU, and checks that the
CMake function reruns the compiler only when something it depends on
changes.

  check_examples.py --build-dir <tinymlc build dir> [--keep DIR]

For each example (cortex-m4 on mps2-an386, cortex-m55 on mps3-an547, riscv on
riscv32-virt): configure, build, run (`run_firmware`), require exit status 0
and "10 of 10 correct". The build prints the firmware's cost
(tinymlc_firmware_report, `tinymlc size`); its JSON must give the bytes that
`size -A` and the linker map (read here by firmware.map_by_file) give, and on
the host the symbol sizes `nm -S` gives. Then, on the host build of examples/cortex-m4: a
second build does nothing; touching the model, or changing the flags,
reruns tinymlc. Exit code 77 when the cross tools are missing.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import firmware as fw  # noqa: E402

EXAMPLES = [("cortex-m4", "mps2-an386"), ("cortex-m55", "mps3-an547"), ("riscv", "riscv32-virt")]


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return r.returncode, r.stdout + r.stderr


def configure(src, build, tinymlc_dir, board, extra=()):
    cmd = ["cmake", "-S", src, "-B", build, "-G", "Ninja", "-Dtinymlc_DIR=" + tinymlc_dir]
    if board != "host":
        cmd += ["-DCMAKE_TOOLCHAIN_FILE=" + os.path.join(ROOT, "cmake", "tinymlc-toolchain.cmake"),
                "-DTINYMLC_TARGET=" + board]
    return sh(cmd + list(extra))


FLASH_SECTIONS = (".text", ".weights", ".rodata", ".ARM.exidx", ".init_array", ".data")
RAM_SECTIONS = (".stack", ".data", ".bss", ".extra_bss")


def check_cost(check, example, board, build, out):
    """The cost report the build wrote against size -A and the map (boards), or
    nm -S (host), byte for byte."""
    what = "%s for %s: " % (example, board)
    exe = os.path.join(build, "firmware")
    if not check("(report.json)" in out and os.path.exists(exe + ".cost.json"),
                 what + "the build prints and writes the firmware's cost", out):
        return
    cost = json.load(open(exe + ".cost.json"))
    got = {m["name"]: m for m in cost["models"]}
    want = {}
    if board == "host":
        nm = subprocess.run(["nm", "-S", "-C", exe], capture_output=True, text=True).stdout
        sizes = {}
        for line in nm.splitlines():
            parts = line.split(None, 3)
            if len(parts) == 4:
                name = parts[3].replace("(anonymous namespace)::", "")
                sizes.setdefault(name, []).append((parts[2], int(parts[1], 16)))
        for name in got:
            others = [n for n in got if n != name and n.startswith(name + "_")]
            weights = sum(sz for sym, entries in sizes.items() for kind, sz in entries
                          if kind == "R" and sym.startswith(name + "_") and
                          not any(sym.startswith(o + "_") for o in others))
            arena = sum(sz for _, sz in sizes.get(name + "_arena", []))
            want[name] = (weights, arena)
    else:
        secs = fw.sections(board, exe)
        check(cost["flash"]["total_bytes"] == sum(secs.get(s, 0) for s in FLASH_SECTIONS) and
              cost["memory"]["total_bytes"] == sum(secs.get(s, 0) for s in RAM_SECTIONS) and
              cost["memory"]["stack_reserved_bytes"] == secs.get(".stack"),
              what + "flash, RAM and stack totals equal size -A", json.dumps(cost, indent=1))
        by_file = fw.map_by_file(exe + ".map")

        def of(stem, sections):
            # CMake names objects <source>.o, or <source>.obj for a Generic system.
            objs = [stem + ".o", stem + ".obj"]
            return sum(v for (sec, f), v in by_file.items() if sec in sections and
                       any(f == o or f.endswith("(" + o + ")") for o in objs))
        for name in got:
            code = of(name + ".cpp", [s for s in FLASH_SECTIONS if s != ".data"])
            check(got[name]["flash"]["code_bytes"] == code,
                  what + "%s's code equals the map's (%d bytes)" % (name, code),
                  json.dumps(got[name], indent=1))
            want[name] = (of(name + "_weights.cpp", FLASH_SECTIONS),
                          of(name + ".cpp", RAM_SECTIONS))
    for name, (weights, arena) in sorted(want.items()):
        m = got[name]
        external = m["memory"]["arena"] == "external"
        # The plan: one static array per RAM region, at least 1 byte each.
        report = json.load(open(m["report"]))
        planned = sum(max(1, r["used_bytes"]) for r in report["memory"]["regions"])
        check(m["flash"]["weights_bytes"] == weights and
              m["memory"]["arena_bytes"] == (0 if external else arena) and
              (external or arena == planned) and
              m["memory"]["run_stack_bytes"] is not None and
              m["memory"]["run_stack_kind"] == "worst case (call graph)",
              what + "%s's weights (%d), arena (%s) and worst-case stack of %s_run (%s bytes) "
              "as measured"
              % (name, weights, "external" if external else arena, name,
                 m["memory"]["run_stack_bytes"]), json.dumps(m, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", required=True, help="tinymlc's build directory")
    ap.add_argument("--keep", help="work in this directory and keep it")
    args = ap.parse_args()
    missing = [b for _, b in EXAMPLES if fw.missing_tools(b)]
    if missing:
        print("SKIPPED: the cross tools for %s are not installed (scripts/install-deps.sh cross)"
              % ", ".join(missing))
        return 77
    tinymlc_dir = os.path.abspath(args.build_dir)
    work = args.keep or tempfile.mkdtemp(prefix="tinymlc-examples-")
    failures = 0

    def check(ok, what, detail=""):
        nonlocal failures
        failures += not ok
        print("%-4s %s%s" % ("ok" if ok else "FAIL", what, "" if ok else ": " + detail[-1500:]))
        return ok

    try:
        for example, board in EXAMPLES + [("cortex-m4", "host")]:
            src = os.path.join(ROOT, "examples", example)
            build = os.path.join(work, example + "-" + board)
            shutil.rmtree(build, ignore_errors=True)
            rc, out = configure(src, build, tinymlc_dir, board)
            if not check(rc == 0, "%s for %s: configure" % (example, board), out):
                continue
            rc, out = sh(["cmake", "--build", build, "--target", "firmware"])
            if not check(rc == 0, "%s for %s: build from a clean directory" % (example, board), out):
                continue
            check_cost(check, example, board, build, out)
            rc, out = sh(["cmake", "--build", build, "--target", "run_firmware"], timeout=300)
            check(rc == 0 and "10 of 10 correct" in out,
                  "%s for %s: runs, 10 of 10 digits correct" % (example, board), out)
            if example == "cortex-m4":
                check("agrees bit for bit on 10" in out,
                      "%s for %s: two models in one firmware agree" % (example, board), out)

        # Reruns, on the host build of cortex-m4.
        build = os.path.join(work, "cortex-m4-host")
        rc, out = sh(["cmake", "--build", build, "--target", "firmware"])
        check(rc == 0 and "tinymlc: compiling" not in out, "a second build does not rerun tinymlc",
              out)
        # The model is the example's own file: touch a copy instead of the repository's.
        src = os.path.join(work, "m4-copy")
        shutil.rmtree(src, ignore_errors=True)
        shutil.copytree(os.path.join(ROOT, "examples", "cortex-m4"), src)
        os.makedirs(os.path.join(work, "digits"), exist_ok=True)
        for f in ("digits_cnn.onnx", "samples.h"):
            shutil.copy(os.path.join(ROOT, "examples", "digits", f), os.path.join(work, "digits", f))
        build = os.path.join(work, "m4-copy-build")
        configure(src, build, tinymlc_dir, "host")
        sh(["cmake", "--build", build, "--target", "firmware"])
        os.utime(os.path.join(work, "digits", "digits_cnn.onnx"))
        rc, out = sh(["cmake", "--build", build, "--target", "firmware"])
        check(rc == 0 and out.count("tinymlc: compiling") == 2,
              "touching the model reruns tinymlc for both models", out)
        rc, out = configure(src, build, tinymlc_dir, "host")
        rc, out = sh(["cmake", "--build", build, "--target", "firmware"])
        check(rc == 0 and "tinymlc: compiling" not in out, "reconfiguring alone reruns nothing", out)
        cml = os.path.join(src, "CMakeLists.txt")
        text = open(cml).read()
        open(cml, "w").write(text.replace("OPTIONS --arena external",
                                          "OPTIONS --arena external --no-schedule"))
        rc, out = sh(["cmake", "--build", build, "--target", "firmware"])
        check(rc == 0 and out.count("tinymlc: compiling") == 1,
              "changing one model's flags reruns tinymlc for that model only", out)

        # tinymlc from its source tree (add_subdirectory) in a cross build: the
        # compiler is built for the build machine as an ExternalProject.
        build = os.path.join(work, "cortex-m4-subdir")
        rc, out = configure(os.path.join(ROOT, "examples", "cortex-m4"), build, "",
                            "mps2-an386", ["-DTINYMLC_SOURCE_DIR=" + ROOT])
        if check(rc == 0, "cortex-m4 with add_subdirectory(tinymlc) in a cross build: configure",
                 out):
            rc, out = sh(["cmake", "--build", build, "--target", "run_firmware", "-j2"],
                         timeout=1800)
            check(rc == 0 and "10 of 10 correct" in out,
                  "cortex-m4 with add_subdirectory(tinymlc) in a cross build: builds tinymlc for "
                  "the host, then the firmware, which runs", out)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("examples: %d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
