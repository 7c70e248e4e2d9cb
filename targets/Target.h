//===- Target.h - target descriptions (targets/*.json) --------------------===//
//
// A target says what the generated code runs on: the core and the compiler
// flags for it, its ISA features, the RAM regions the memory planner may use
// (fastest first) and the flash the weights must fit in. The descriptions in
// targets/*.json are built into the compiler; `--target FILE.json` reads a
// user's own with the same schema (docs: README, "Targets").
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_TARGETS_TARGET_H
#define TINYMLC_TARGETS_TARGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>
#include <vector>

namespace tinymlc {

/// One RAM region, in the order of preference (fastest first).
struct TargetRegion {
  std::string name;
  int64_t size = -1; ///< bytes; -1: no limit (a core without a board)
  int64_t alignment = 16;
  /// Linker section the region's arena goes in (empty: the default, .bss).
  std::string section;
};

struct TargetFeatures {
  std::string fpu = "none"; ///< none, sp (single precision), dp (double precision)
  bool dsp = false;         ///< Arm DSP extension (SIMD32: SMLAD and friends)
  std::string mve = "none"; ///< none, int, float (Helium)
  std::string riscv;        ///< RISC-V extensions, e.g. "imac"; empty on other architectures
};

struct Target {
  std::string name;
  std::string description;
  std::string arch; ///< arm, riscv or host
  std::string core; ///< e.g. cortex-m4, rv32imac, host
  std::vector<std::string> cflags;
  TargetFeatures features;
  std::vector<TargetRegion> regions;
  int64_t flash = -1; ///< bytes for code and weights; -1: no limit
  std::string layout = "nchw";
  std::vector<std::string> kernels = {"portable"};
  /// The QEMU machine that emulates the board, if any (board support in targets/boards/).
  std::string qemuMachine;
  /// "built-in" or the file the description came from.
  std::string source;

  int64_t ramSize() const; ///< all regions together; -1 if any is unlimited
};

/// Parses one description. `file` names it in errors ("targets/foo.json").
/// Errors give the JSON path of the offending value: "foo.json: /memory/0/size: ...".
llvm::Expected<Target> parseTarget(llvm::StringRef text, llvm::StringRef file);

/// The descriptions built into this compiler, sorted by name.
const std::vector<Target> &builtinTargets();

/// A built-in target by name, or a description file when `nameOrFile` ends in
/// .json (or contains a path separator).
llvm::Expected<Target> findTarget(llvm::StringRef nameOrFile);

/// "128K", "1M", "1.5M" style, or exact bytes when not a multiple of 1K.
std::string formatBytes(int64_t bytes);

} // namespace tinymlc

#endif
