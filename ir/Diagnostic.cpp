//===- Diagnostic.cpp - located user errors -------------------------------===//
#include "ir/Diagnostic.h"
#include "ir/Graph.h"
#include "llvm/Support/raw_ostream.h"

namespace tinymlc {

char Diagnostic::ID = 0;

/// Names come from the model and may hold anything; a diagnostic stays on
/// one line of printable text.
static void printEscaped(llvm::raw_ostream &os, llvm::StringRef s) {
  for (unsigned char c : s) {
    if (c == '\n')
      os << "\\n";
    else if (c < 0x20 || c == 0x7f)
      os << "\\x" << "0123456789abcdef"[c >> 4] << "0123456789abcdef"[c & 15];
    else
      os << c;
  }
}

void Diagnostic::log(llvm::raw_ostream &os) const {
  if (!file.empty()) {
    printEscaped(os, file);
    os << ": ";
  }
  if (!subject.empty()) {
    printEscaped(os, subject);
    os << ": ";
  }
  printEscaped(os, message);
}

std::error_code Diagnostic::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::make_error<Diagnostic>("", message.str());
}

llvm::Error makeError(const llvm::Twine &subject, const llvm::Twine &message) {
  return llvm::make_error<Diagnostic>(subject.str(), message.str());
}

llvm::Error makeUsageError(const llvm::Twine &message) {
  auto d = std::make_unique<Diagnostic>("", message.str());
  d->usage = true;
  return llvm::Error(std::move(d));
}

llvm::Error renameFile(llvm::Error err, llvm::StringRef from, llvm::StringRef to) {
  return llvm::handleErrors(std::move(err),
                            [&](std::unique_ptr<Diagnostic> d) -> llvm::Error {
                              if (d->file == from)
                                d->file = to.str();
                              return llvm::Error(std::move(d));
                            });
}

std::string nodeSubject(const Node &node) {
  return ("node '" + node.name() + "' (" + opName(node.kind()) + ")").str();
}

llvm::Error nodeError(const Node &node, const llvm::Twine &message) {
  return llvm::make_error<Diagnostic>(nodeSubject(node), message.str());
}

llvm::Error withFile(llvm::Error err, llvm::StringRef file) {
  return llvm::handleErrors(std::move(err),
                            [&](std::unique_ptr<Diagnostic> d) -> llvm::Error {
                              if (d->file.empty())
                                d->file = file.str();
                              return llvm::Error(std::move(d));
                            });
}

std::string errorToString(llvm::Error err) { return renderError(std::move(err)).text; }

RenderedError renderError(llvm::Error err) {
  RenderedError r;
  llvm::raw_string_ostream os(r.text);
  llvm::handleAllErrors(std::move(err), [&](const llvm::ErrorInfoBase &e) {
    if (!r.text.empty())
      os << "\n";
    e.log(os);
    if (e.isA<Diagnostic>())
      r.usage |= static_cast<const Diagnostic &>(e).usage;
  });
  os.flush();
  return r;
}

} // namespace tinymlc
