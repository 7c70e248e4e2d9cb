//===- Diagnostic.cpp - located user errors -------------------------------===//
#include "ir/Diagnostic.h"
#include "ir/Graph.h"
#include "llvm/Support/raw_ostream.h"

namespace tinymlc {

char Diagnostic::ID = 0;

void Diagnostic::log(llvm::raw_ostream &os) const {
  if (!file.empty())
    os << file << ": ";
  if (!subject.empty())
    os << subject << ": ";
  os << message;
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

std::string errorToString(llvm::Error err) {
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::handleAllErrors(std::move(err), [&](const llvm::ErrorInfoBase &e) {
    if (!out.empty())
      os << "\n";
    e.log(os);
  });
  return os.str();
}

} // namespace tinymlc
