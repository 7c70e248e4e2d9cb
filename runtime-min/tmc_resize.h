//===- tmc_resize.h - resampling: Resize, GridSample, RoiAlign --------------===//
#ifndef TMC_RESIZE_H
#define TMC_RESIZE_H

#include "tmc_base.h"

namespace tmc {

} // namespace tmc

#endif
