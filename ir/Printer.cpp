//===- Printer.cpp - prints a Graph as text -------------------------------===//
#include "ir/Format.h"
#include "ir/TextIR.h"
#include "llvm/ADT/DenseSet.h"

namespace tinymlc {

namespace {

bool isPlainName(llvm::StringRef s) {
  if (s.empty() || s == "_")
    return false;
  for (char c : s)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'))
      return false;
  return true;
}

void printQuoted(llvm::raw_ostream &os, llvm::StringRef s) {
  os << '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\')
      os << '\\' << c;
    else if (c < 0x20 || c >= 0x7f)
      os << "\\x" << "0123456789abcdef"[c >> 4] << "0123456789abcdef"[c & 15];
    else
      os << c;
  }
  os << '"';
}

void printName(llvm::raw_ostream &os, llvm::StringRef s) {
  os << '%';
  if (isPlainName(s))
    os << s;
  else
    printQuoted(os, s);
}

void printType(llvm::raw_ostream &os, const Value *v) { os << v->typeString(); }

std::string floatAttr(float f) {
  std::string s = formatFloat(f);
  if (s.find_first_of(".ein") == std::string::npos)
    s += ".0";
  return s;
}

void printElements(llvm::raw_ostream &os, DType t, llvm::ArrayRef<uint8_t> bytes) {
  os << '[';
  size_t n = bytes.size() / dtypeSize(t);
  for (size_t i = 0; i < n; ++i) {
    if (i)
      os << ", ";
    os << formatElement(t, bytes.data(), i);
  }
  os << ']';
}

} // namespace

void printAttribute(llvm::raw_ostream &os, const Attribute &a) {
  auto list = [&](auto values, auto fn) {
    os << '[';
    bool first = true;
    for (const auto &v : values) {
      if (!first)
        os << ", ";
      first = false;
      fn(v);
    }
    os << ']';
  };
  switch (a.kind()) {
  case Attribute::Kind::Int:
    os << a.getInt();
    break;
  case Attribute::Kind::Float:
    os << floatAttr(a.getFloat());
    break;
  case Attribute::Kind::String:
    printQuoted(os, a.getString());
    break;
  case Attribute::Kind::Ints:
    list(a.getInts(), [&](int64_t v) { os << v; });
    break;
  case Attribute::Kind::Floats:
    list(a.getFloats(), [&](float v) { os << floatAttr(v); });
    break;
  case Attribute::Kind::Strings:
    list(a.getStrings(), [&](const std::string &v) { printQuoted(os, v); });
    break;
  case Attribute::Kind::Tensor: {
    const TensorData &t = a.getTensor();
    os << "tensor<" << dtypeName(t.dtype) << shapeToString(t.shape) << ">";
    printElements(os, t.dtype, t.bytes);
    break;
  }
  }
}

void printGraph(const Graph &g, llvm::raw_ostream &os, const PrintOptions &opts) {
  os << "graph @";
  if (isPlainName(g.name))
    os << g.name;
  else
    printQuoted(os, g.name);
  os << " {\n";
  for (const Value *v : g.inputs()) {
    os << "  input ";
    printName(os, v->name());
    os << ": ";
    printType(os, v);
    os << "\n";
  }
  // Constants in order of first use, then graph outputs that are constants.
  llvm::DenseSet<const Value *> printed;
  auto printConstant = [&](const Value *v) {
    if (!v || !v->isConstant() || !printed.insert(v).second)
      return;
    os << "  const ";
    printName(os, v->name());
    os << ": ";
    printType(os, v);
    os << " = ";
    if (opts.elideConstantsAbove && v->byteSize() > opts.elideConstantsAbove)
      os << "elided<" << v->byteSize() << " bytes>";
    else
      printElements(os, v->dtype(), v->bytes());
    os << "\n";
  };
  for (const Node *n : g.nodes())
    for (const Value *in : n->inputs())
      printConstant(in);
  for (const Value *v : g.outputs())
    printConstant(v);
  for (const Node *n : g.nodes()) {
    os << "  ";
    for (unsigned i = 0; i < n->numOutputs(); ++i) {
      if (i)
        os << ", ";
      printName(os, n->output(i)->name());
    }
    os << " = " << opName(n->kind()) << ' ';
    printQuoted(os, n->name());
    os << '(';
    for (unsigned i = 0; i < n->numInputs(); ++i) {
      if (i)
        os << ", ";
      if (const Value *in = n->input(i))
        printName(os, in->name());
      else
        os << '_';
    }
    os << ')';
    if (!n->attrs().empty()) {
      os << " {";
      bool first = true;
      for (const auto &[name, attr] : n->attrs()) {
        if (!first)
          os << ", ";
        first = false;
        os << name << " = ";
        printAttribute(os, attr);
      }
      os << '}';
    }
    os << ": ";
    for (unsigned i = 0; i < n->numOutputs(); ++i) {
      if (i)
        os << ", ";
      printType(os, n->output(i));
    }
    os << "\n";
  }
  for (const Value *v : g.outputs()) {
    os << "  output ";
    printName(os, v->name());
    os << "\n";
  }
  os << "}\n";
}

std::string graphToString(const Graph &g, const PrintOptions &opts) {
  std::string s;
  llvm::raw_string_ostream os(s);
  printGraph(g, os, opts);
  return os.str();
}

} // namespace tinymlc
