//===- Cli.h - the tinymlc command line -----------------------------------===//
#ifndef TINYMLC_COMPILER_CLI_H
#define TINYMLC_COMPILER_CLI_H

#include "llvm/Support/raw_ostream.h"

namespace tinymlc {

/// Exit codes: 0 success, 1 a problem with the input (model, files), 2 a bad
/// command line.
enum ExitCode { kExitOk = 0, kExitUserError = 1, kExitUsage = 2 };

/// The whole command line; output and errors go to the given streams.
int tinymlcMain(int argc, const char *const *argv, llvm::raw_ostream &out,
                llvm::raw_ostream &err);

} // namespace tinymlc

#endif
