//===- TargetSources.h - the target descriptions embedded in the compiler -===//
#ifndef TINYMLC_TARGETS_TARGETSOURCES_H
#define TINYMLC_TARGETS_TARGETSOURCES_H

#include "llvm/ADT/ArrayRef.h"

namespace tinymlc {

struct TargetSource {
  const char *name; ///< file name, e.g. "cortex-m4.json"
  const char *text;
};

/// Every targets/*.json, as built into this compiler (cmake/EmbedFiles.cmake).
llvm::ArrayRef<TargetSource> targetSources();

} // namespace tinymlc

#endif
