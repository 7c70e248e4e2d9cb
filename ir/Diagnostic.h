//===- Diagnostic.h - located user errors ---------------------------------===//
//
// Every problem caused by the user's input (a malformed model, an unsupported
// op, an unpinned dimension) travels as an llvm::Error holding a Diagnostic:
//
//   kws.onnx: node 'conv3' (Conv): group 3 does not divide 16 input channels
//
// The file is usually attached late, by the code that knows it (the front end
// or the CLI); the subject names the node, input or initializer at fault.
// Library code never prints: only compiler/ turns Diagnostics into stderr text.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_IR_DIAGNOSTIC_H
#define TINYMLC_IR_DIAGNOSTIC_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include <string>

namespace tinymlc {

class Node;

class Diagnostic : public llvm::ErrorInfo<Diagnostic> {
public:
  static char ID;
  Diagnostic(std::string subject, std::string message)
      : subject(std::move(subject)), message(std::move(message)) {}

  /// The model or input file the problem was found in; may be empty.
  std::string file;
  /// What the message is about: "node 'conv3' (Conv)", "input 'x'"; may be empty.
  std::string subject;
  /// Lower-case, no trailing period, says what is wrong and what to do.
  std::string message;

  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;
};

/// An error with no particular subject.
llvm::Error makeError(const llvm::Twine &message);
/// An error about `subject` ("input 'x'", "initializer 'w'").
llvm::Error makeError(const llvm::Twine &subject, const llvm::Twine &message);
/// An error located at a node: "node 'name' (Op): message".
llvm::Error nodeError(const Node &node, const llvm::Twine &message);
/// The subject string for a node: "node 'name' (Op)".
std::string nodeSubject(const Node &node);

/// Attaches `file` to every Diagnostic in `err` that has none yet.
llvm::Error withFile(llvm::Error err, llvm::StringRef file);

/// Renders an error as text, one line per diagnostic, consuming it.
std::string errorToString(llvm::Error err);

} // namespace tinymlc

#endif
