//===- RuntimeSources.h - the kernel headers embedded in the compiler -----===//
#ifndef TINYMLC_CODEGEN_RUNTIMESOURCES_H
#define TINYMLC_CODEGEN_RUNTIMESOURCES_H

#include "llvm/ADT/ArrayRef.h"

namespace tinymlc {

struct RuntimeSource {
  const char *name; ///< file name, e.g. "tmc_conv.h"
  const char *text;
};

/// Every runtime-min header, as built into this compiler (cmake/EmbedFiles.cmake).
llvm::ArrayRef<RuntimeSource> runtimeSources();

} // namespace tinymlc

#endif
