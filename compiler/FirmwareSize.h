//===- FirmwareSize.h - `tinymlc size`: what a firmware costs -------------===//
//
// Reads a linked firmware (ELF32 or ELF64, little-endian) and splits its flash
// and RAM between the models compiled into it and everything else, beside the
// compiler's prediction in each model's <name>.report.json:
//   - flash: each model's code and its weights, and the rest;
//   - RAM: each model's arena, the stack the firmware reserves, the static
//     stack of <name>_run() when GCC's -fstack-usage files are given, and
//     the rest.
// A model's bytes are found by the object files it was compiled from (with
// the linker map: <name>.cpp and <name>_weights.cpp) or else by its symbols
// (the <name>_ prefix, and local symbols under the file symbol <name>.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_COMPILER_FIRMWARESIZE_H
#define TINYMLC_COMPILER_FIRMWARESIZE_H

#include "llvm/Support/Error.h"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tinymlc {

struct SizeOptions {
  std::string firmware;                ///< the linked ELF
  std::vector<std::string> models;     ///< <name>.report.json files or generated directories
  std::string map;                     ///< GNU ld map (-Wl,-Map=...); empty: attribute by symbols
  std::vector<std::string> stackUsage; ///< directories searched for GCC .su files
};

/// One model's share of the firmware, beside the compiler's figures.
struct ModelCost {
  std::string name, report;
  bool externalArena = false;
  int64_t code = 0, weights = 0, arena = 0;
  int64_t predictedCode = 0, predictedWeights = 0, predictedArena = 0;
  /// The static stack of <name>_run() and the kernels it calls, from .su files.
  std::optional<int64_t> runStack;
  std::string runStackKind; ///< "worst case (call graph)", "bound (-fstack-usage)" or ""
  std::string runStackNote; ///< why runStack is missing, or the path / how it was bounded
};

struct FirmwareCost {
  std::string firmware, format, attribution; ///< attribution: "linker map" or "symbols"
  std::vector<ModelCost> models;
  int64_t flashTotal = 0, ramTotal = 0;
  std::optional<int64_t> stackReserved;
  struct Section {
    std::string name;
    int64_t size;
    bool flash, ram;
  };
  std::vector<Section> sections; ///< allocated sections in address order of the file
};

/// Measures the firmware. Errors name the file at fault: not an ELF, a
/// truncated one, a model whose symbols are missing, a report from another
/// compile than the one linked.
llvm::Expected<FirmwareCost> measureFirmware(const SizeOptions &opts);

/// The table printed by `tinymlc size`.
std::string formatCostTable(const FirmwareCost &c);

/// The JSON written by `tinymlc size -o`, keyed like <name>.report.json.
std::string formatCostJson(const FirmwareCost &c);

} // namespace tinymlc

#endif
