//===- tmc_signal.h - signal processing: DFT, STFT, windows, mel filters ----===//
#ifndef TMC_SIGNAL_H
#define TMC_SIGNAL_H

#include "tmc_base.h"

namespace tmc {

} // namespace tmc

#endif
