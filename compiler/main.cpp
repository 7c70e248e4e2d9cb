//===- main.cpp - the tinymlc executable ----------------------------------===//
#include "compiler/Cli.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  return tinymlc::tinymlcMain(argc, argv, llvm::outs(), llvm::errs());
}
