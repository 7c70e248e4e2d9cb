//===- tmc_reduce.h - reductions along axes ---------------------------------===//
#ifndef TMC_REDUCE_H
#define TMC_REDUCE_H

#include "tmc_base.h"

namespace tmc {

} // namespace tmc

#endif
