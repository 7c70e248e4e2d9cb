//===- TestUtil.h - helpers shared by the unit tests ----------------------===//
#ifndef TINYMLC_TESTS_UNIT_TESTUTIL_H
#define TINYMLC_TESTS_UNIT_TESTUTIL_H

#include "ir/Diagnostic.h"
#include "ir/TextIR.h"
#include <doctest/doctest.h>
#include <memory>
#include <string>

namespace tinymlc::test {

/// Parses textual IR, failing the test with the parser's message on error.
inline std::unique_ptr<Graph> parse(llvm::StringRef text) {
  auto g = parseGraph(text);
  if (!g) {
    FAIL_CHECK(errorToString(g.takeError()));
    return nullptr;
  }
  return std::move(*g);
}

/// The message of an expected error ("" if there was none).
template <typename T> std::string errorOf(llvm::Expected<T> v) {
  if (v)
    return "";
  return errorToString(v.takeError());
}
inline std::string errorOf(llvm::Error e) { return e ? errorToString(std::move(e)) : ""; }

} // namespace tinymlc::test

#endif
