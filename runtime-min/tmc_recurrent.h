//===- tmc_recurrent.h - recurrent layers: LSTM, GRU, RNN -------------------===//
#ifndef TMC_RECURRENT_H
#define TMC_RECURRENT_H

#include "tmc_base.h"

namespace tmc {

} // namespace tmc

#endif
