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
  /// The command line asked for something the model does not have (an input,
  /// a dimension, a target): the CLI exits with 2 instead of 1.
  bool usage = false;

  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;
};

/// An error with no particular subject.
llvm::Error makeError(const llvm::Twine &message);
/// An error about `subject` ("input 'x'", "initializer 'w'").
llvm::Error makeError(const llvm::Twine &subject, const llvm::Twine &message);
/// An error in the command line as applied to the model (exit code 2).
llvm::Error makeUsageError(const llvm::Twine &message);

/// Replaces the file of every Diagnostic in `err` whose file is `from` by
/// `to` (an option like "--const x=w.npy" standing for the file it names).
llvm::Error renameFile(llvm::Error err, llvm::StringRef from, llvm::StringRef to);

/// An error located at a node: "node 'name' (Op): message".
llvm::Error nodeError(const Node &node, const llvm::Twine &message);
/// The subject string for a node: "node 'name' (Op)".
std::string nodeSubject(const Node &node);

/// Attaches `file` to every Diagnostic in `err` that has none yet.
llvm::Error withFile(llvm::Error err, llvm::StringRef file);

/// Renders an error as text, one line per diagnostic, consuming it.
std::string errorToString(llvm::Error err);

struct RenderedError {
  std::string text;
  bool usage = false; ///< some diagnostic is a usage error
};
/// As errorToString, and whether the error is the command line's fault.
RenderedError renderError(llvm::Error err);

} // namespace tinymlc

#endif
