//===- tmc_index.h - indexing: gathers, scatters, tiles, generators ---------===//
#ifndef TMC_INDEX_H
#define TMC_INDEX_H

#include "tmc_base.h"

namespace tmc {

} // namespace tmc

#endif
