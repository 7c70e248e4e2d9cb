//===- CppEmitter.cpp - writes the generated C++ sources ------------------===//
#include "codegen/CppEmitter.h"
#include "codegen/RuntimeSources.h"
#include "ir/Format.h"
#include "ir/ShapeInference.h"
#include "ir/TextIR.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/SHA256.h"
#include <cstring>
#include <set>

namespace tinymlc {

std::string sha256Hex(llvm::ArrayRef<uint8_t> bytes) {
  return llvm::toHex(llvm::SHA256::hash(bytes), /*LowerCase=*/true);
}

std::string sanitizeIdentifier(llvm::StringRef s) {
  std::string out;
  for (char c : s)
    out += (isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (out.empty() || isdigit(static_cast<unsigned char>(out[0])))
    out = "_" + out;
  return out;
}

namespace {

/// Text safe inside a // comment: printable ASCII only, no backslash (line
/// continuation) and no "??" (trigraphs in strict C++11).
std::string commentSafe(llvm::StringRef s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '\\')
      out += '_';
    else if (c == '?' && !out.empty() && out.back() == '?')
      out += " ?";
    else
      out += c;
  }
  return out;
}

std::string hex64(uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s = "0x0000000000000000";
  for (int i = 17; i >= 2; --i, v >>= 4)
    s[static_cast<size_t>(i)] = digits[v & 15];
  return s;
}

/// Constants of these types are stored as their bytes packed little-endian
/// into uint64_t words ("0x3e2f8a1b3f800000," is 19 characters for 8 bytes,
/// where a shortest round-trip float literal averages 12 to 14 for 4) and read
/// through a pointer of their own type, first element in the low bits; the
/// code file refuses to compile on a big-endian target.
bool packedAsWords(DType t) {
  switch (t) {
  case DType::F32:
  case DType::I32:
  case DType::U32:
  case DType::I8:
  case DType::U8:
  case DType::I16:
  case DType::U16:
    return true;
  default:
    return false;
  }
}

/// The part of a weight symbol taken from an ONNX name: sanitised, runs of
/// '_' collapsed and edge '_' dropped, since identifiers containing "__" are
/// reserved in C++ ("onnx::Conv_25" -> "onnx_Conv_25").
std::string symbolPart(llvm::StringRef name) {
  std::string out;
  for (char c : sanitizeIdentifier(name))
    if (c != '_' || (!out.empty() && out.back() != '_'))
      out += c;
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  return out.empty() ? "tensor" : out;
}

size_t wordCount(const Value *v) { return std::max<size_t>(1, (v->byteSize() + 7) / 8); }

/// One element as a C++ literal of its type.
std::string literal(DType t, const uint8_t *data, size_t i) {
  std::string s = formatElement(t, data, i);
  switch (t) {
  case DType::F32:
    if (s == "inf")
      return "HUGE_VALF";
    if (s == "-inf")
      return "-HUGE_VALF";
    if (s == "nan")
      return "NAN";
    return s + (s.find_first_of(".e") == std::string::npos ? ".0f" : "f");
  case DType::F64:
    if (s == "inf")
      return "HUGE_VAL";
    if (s == "-inf")
      return "-HUGE_VAL";
    if (s == "nan")
      return "(double)NAN";
    return s + (s.find_first_of(".e") == std::string::npos ? ".0" : "");
  case DType::I32:
    return s == "-2147483648" ? "(-2147483647 - 1)" : s;
  case DType::U32:
    return s + "u";
  case DType::I64:
    return s == "-9223372036854775808" ? "(-INT64_C(9223372036854775807) - 1)"
                                       : "INT64_C(" + s + ")";
  case DType::U64:
    return "UINT64_C(" + s + ")";
  case DType::Bool:
    return s == "0" ? "false" : "true";
  default:
    return s;
  }
}

bool needsMath(const Value *v) {
  if (!isFloat(v->dtype()))
    return false;
  size_t n = v->numElements();
  for (size_t i = 0; i < n; ++i) {
    std::string s = formatElement(v->dtype(), v->bytes().data(), i);
    if (s == "inf" || s == "-inf" || s == "nan")
      return true;
  }
  return false;
}

/// Appends `items` separated by ", ", wrapping lines at about 100 columns
/// with `indent` at the start of each line.
void wrapList(std::string &out, const std::vector<std::string> &items, llvm::StringRef indent,
              size_t firstLineUsed) {
  size_t col = firstLineUsed;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string piece = items[i] + (i + 1 < items.size() ? "," : "");
    if (i > 0) {
      if (col + 1 + piece.size() > 100) {
        out += "\n" + indent.str();
        col = indent.size();
      } else {
        out += " ";
        ++col;
      }
    }
    out += piece;
    col += piece.size();
  }
}

class Emitter {
public:
  Emitter(const CompiledModel &m, const CodegenOptions &opts)
      : m(m), g(*m.graph), opts(opts), upper(llvm::StringRef(opts.name).upper()) {
    nameSymbols();
  }

  std::vector<GeneratedFile> run() {
    std::vector<GeneratedFile> files;
    files.push_back({opts.name + ".h", header()});
    files.push_back({opts.name + ".cpp", source()});
    files.push_back({opts.name + "_weights.cpp", weights()});
    for (const RuntimeSource &src : runtimeSources())
      if (headers.count(src.name))
        files.push_back({src.name, src.text});
    return files;
  }

private:
  /// Weight symbols in order of first use; names from the ONNX names.
  void nameSymbols() {
    llvm::StringSet<> taken;
    auto claim = [&](const std::string &base) {
      std::string s = base;
      for (unsigned i = 2; taken.count(s); ++i)
        s = base + "_" + std::to_string(i);
      taken.insert(s);
      return s;
    };
    for (llvm::StringRef reserved : {"arena", "run", "invoke", "input", "output", "set_arena"})
      taken.insert(opts.name + "_" + reserved.str());
    headers.insert("tmc_base.h");
    for (size_t i = 0; i < m.lowerings.size(); ++i)
      for (const KernelCall &call : m.lowerings[i].calls) {
        headers.insert(call.header);
        // tmc_quant.h builds on the convolution, broadcast and matmul parameter structs.
        if (call.header == "tmc_quant.h") {
          headers.insert("tmc_conv.h");
          headers.insert("tmc_elementwise.h");
          headers.insert("tmc_linear.h");
        }
        for (const KernelArg &a : call.args)
          if (a.kind == KernelArg::Kind::Input && a.value->isConstant() &&
              !symbols.count(a.value)) {
            symbols[a.value] = claim(opts.name + "_" + symbolPart(a.value->name()));
            constants.push_back(a.value);
          }
      }
  }

  std::string banner(llvm::StringRef file) const {
    // No model path, date, version or flags here: those are in
    // <name>.manifest.json, so that sources change only when the code does.
    return "// " + file.str() + ": generated by tinymlc. Do not edit; regenerate.\n";
  }

  std::string ioComment(const char *kind, size_t i, const Value *v) const {
    const Placement &p = m.plan.of(v);
    return "/* " + std::string(kind) + " " + std::to_string(i) + " '" +
           commentSafe(v->name()).substr(0, 200) + "': " + v->typeString() + ", " +
           std::to_string(p.size) + " bytes at offset " + std::to_string(p.offset) +
           " of region '" + m.plan.regions[p.region].spec.name + "' */\n";
  }

  bool singleRegion() const { return m.plan.regions.size() == 1; }
  /// The region's identifier in symbols: "ram", "dtcm", ...
  std::string regionId(size_t r) const {
    return sanitizeIdentifier(llvm::StringRef(m.plan.regions[r].spec.name).lower());
  }
  /// The section attribute of a region's static arena, if the target names one.
  std::string regionSectionAttribute(size_t r) const {
    if (r >= opts.regionSections.size() || opts.regionSections[r].empty())
      return "";
    return "__attribute__((section(\"" + opts.regionSections[r] + "\"))) ";
  }
  /// The local pointer to a region's arena inside the run function.
  std::string regionVar(size_t r) const {
    return singleRegion() ? "arena" : "arena_" + regionId(r);
  }
  /// The static array (or, with an external arena, the pointer) of a region.
  std::string regionSymbol(size_t r) const {
    return opts.name + (singleRegion() ? "_arena" : "_arena_" + regionId(r));
  }
  /// A region's macro prefix: KWS_ARENA (one region) or KWS_ARENA_DTCM.
  std::string regionMacro(size_t r) const {
    return upper + (singleRegion() ? "_ARENA" : "_ARENA_" + llvm::StringRef(regionId(r)).upper());
  }
  /// Address of a placement, for code inside the run function.
  std::string address(const Placement &p) const {
    return regionVar(p.region) + " + " + std::to_string(p.offset);
  }
  /// Address of a placement, for the API functions outside run().
  std::string apiAddress(const Placement &p, const std::string &offsetMacro) const {
    return regionSymbol(p.region) + " + " + offsetMacro;
  }

  /// --io int8: real = (q - ZERO_POINT) * SCALE for an integer input/output.
  std::string ioQuantDefines(const std::string &prefix, const Value *v) const {
    auto it = opts.ioQuant.find(v->name());
    if (it == opts.ioQuant.end())
      return "";
    std::string scale = formatFloat(it->second.first);
    if (scale.find_first_of(".e") == std::string::npos)
      scale += ".0";
    return "#define " + prefix + "_SCALE " + scale +
           "f /* real = (q - ZERO_POINT) * SCALE */\n#define " + prefix + "_ZERO_POINT (" +
           std::to_string(it->second.second) + ")\n";
  }

  std::string header() const {
    std::string guard = upper + "_H";
    std::string s = banner(opts.name + ".h");
    int64_t macs = 0;
    for (const Node *n : g.nodes())
      macs += nodeMacs(*n);
    s += "#ifndef " + guard + "\n#define " + guard + "\n\n";
    s += "#include <stddef.h>\n#include <stdint.h>\n\n";
    s += "/* Memory contract. Inputs, outputs and intermediate tensors live in one arena per\n"
         " * memory region, at the offsets below; weights are const data (flash).\n";
    if (opts.externalArena)
      s += " * The arenas are the caller's: pass each (aligned as stated) to " + opts.name +
           "_set_arena" + (singleRegion() ? "" : "_<region>") + "() before running.\n";
    else
      s += " * The arenas are static arrays in " + opts.name + ".cpp.\n";
    s += " * Not reentrant: one inference at a time. */\n";
    if (singleRegion()) {
      s += "#define " + upper + "_ARENA_SIZE " + std::to_string(m.plan.arenaSize) + "\n";
      s += "#define " + upper + "_ARENA_ALIGN " +
           std::to_string(m.plan.regions[0].spec.alignment) + "\n";
    } else {
      s += "#define " + upper + "_ARENA_SIZE " + std::to_string(m.plan.arenaSize) +
           " /* all regions */\n";
      for (size_t r = 0; r < m.plan.regions.size(); ++r) {
        s += "/* region '" + m.plan.regions[r].spec.name + "' */\n";
        s += "#define " + regionMacro(r) + "_SIZE " + std::to_string(m.plan.regions[r].used) + "\n";
        s += "#define " + regionMacro(r) + "_ALIGN " +
             std::to_string(m.plan.regions[r].spec.alignment) + "\n";
      }
    }
    s += "#define " + upper + "_WEIGHTS_SIZE " + std::to_string(weightBytes(m)) + "\n";
    s += "#define " + upper + "_MACS " + std::to_string(macs) + "\n";
    s += "#define " + upper + "_NUM_INPUTS " + std::to_string(g.inputs().size()) + "\n";
    s += "#define " + upper + "_NUM_OUTPUTS " + std::to_string(g.outputs().size()) + "\n\n";
    for (size_t i = 0; i < g.inputs().size(); ++i) {
      const Value *v = g.inputs()[i];
      s += ioComment("input", i, v);
      std::string p = upper + "_INPUT_" + std::to_string(i);
      s += "#define " + p + "_SIZE " + std::to_string(v->byteSize()) + "\n";
      s += "#define " + p + "_OFFSET " + std::to_string(m.plan.of(v).offset) + "\n";
      s += ioQuantDefines(p, v);
      if (!singleRegion())
        s += "#define " + p + "_REGION " + std::to_string(m.plan.of(v).region) + "\n";
    }
    for (size_t i = 0; i < g.outputs().size(); ++i) {
      const Value *v = g.outputs()[i];
      s += ioComment("output", i, v);
      std::string p = upper + "_OUTPUT_" + std::to_string(i);
      s += "#define " + p + "_SIZE " + std::to_string(v->byteSize()) + "\n";
      s += "#define " + p + "_OFFSET " + std::to_string(m.plan.of(v).offset) + "\n";
      s += ioQuantDefines(p, v);
      if (!singleRegion())
        s += "#define " + p + "_REGION " + std::to_string(m.plan.of(v).region) + "\n";
    }
    s += "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
    if (opts.externalArena) {
      s += "/* Sets the memory the model runs in; run and invoke return -1 until it is set. */\n";
      if (singleRegion())
        s += "void " + opts.name + "_set_arena(void *arena);\n\n";
      else
        for (size_t r = 0; r < m.plan.regions.size(); ++r)
          s += "void " + opts.name + "_set_arena_" + regionId(r) + "(void *arena);\n";
      if (!singleRegion())
        s += "\n";
    }
    s += "/* Copies inputs[i] (graph order, the model's own element types, C order)\n"
         " * into the arena, runs the model and copies outputs[i] out. Returns 0" +
         std::string(opts.externalArena ? ", or -1 when the arena is not set" : "") + ". */\n";
    s += "int " + opts.name + "_invoke(const void *const *inputs, void *const *outputs);\n\n";
    s += "/* Zero-copy use: write inputs at " + opts.name + "_input(i), call " + opts.name +
         "_run(),\n * read outputs at " + opts.name +
         "_output(i). Outputs stay valid until the next run;\n"
         " * inputs may be overwritten by the run. */\n";
    s += "int " + opts.name + "_run(void);\n";
    s += "void *" + opts.name + "_input(int index);\n";
    s += "void *" + opts.name + "_output(int index);\n";
    s += "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
    return s;
  }

  std::string argExpr(const KernelArg &a, const ScratchKey &key) const {
    switch (a.kind) {
    case KernelArg::Kind::Null:
      return "nullptr";
    case KernelArg::Kind::Scratch:
      return "(" + a.cType + ")(" + address(m.plan.scratch(key)) + ")";
    case KernelArg::Kind::Input:
      if (a.value->isConstant())
        return constantExpr(a.value);
      [[fallthrough]];
    case KernelArg::Kind::Output: {
      std::string t = a.cType;
      return "(" + t + ")(" + address(m.plan.of(a.value)) + ")";
    }
    }
    return "";
  }

  /// A constant as the kernels take it: packed words are read through a
  /// pointer of the element type.
  std::string constantExpr(const Value *v) const {
    if (!packedAsWords(v->dtype()))
      return symbols.lookup(v);
    // Through void *: the words are only ever read as the element type, and
    // GCC's -Wstrict-aliasing=1/2 would flag the direct cast.
    return "(const " + dtypeCType(v->dtype()).str() + " *)(const void *)" + symbols.lookup(v);
  }

  /// The stored element type: "uint64_t" for packed words, else the C type.
  std::string storedType(const Value *c) const {
    return packedAsWords(c->dtype()) ? "uint64_t" : dtypeCType(c->dtype()).str();
  }

  /// "name[W]" (W words) or "name[N]" (N elements).
  std::string constantDeclarator(const Value *c) const {
    size_t n = packedAsWords(c->dtype())
                   ? wordCount(c)
                   : static_cast<size_t>(std::max<int64_t>(1, c->numElements()));
    return symbols.lookup(c) + "[" + std::to_string(n) + "]";
  }

  /// "const uint64_t name[W]" or "const double name[N]".
  std::string constantDecl(const Value *c) const {
    return "const " + storedType(c) + " " + constantDeclarator(c);
  }

  std::string describe(const Value *v) const {
    std::string s = commentSafe(v->name()) + " " + v->typeString();
    if (v->isConstant()) {
      auto it = symbols.find(v);
      return s + (it != symbols.end() ? " (" + it->second + ")" : " (constant)");
    }
    const Placement &p = m.plan.of(v);
    return s + " @" + (singleRegion() ? "" : m.plan.regions[p.region].spec.name + "+") +
           std::to_string(p.offset);
  }

  std::string attrsComment(const Node &n) const {
    std::string s;
    for (const auto &[name, attr] : n.attrs()) {
      std::string text;
      llvm::raw_string_ostream os(text);
      printAttribute(os, attr);
      os.flush();
      if (text.size() > 60)
        text = text.substr(0, 57) + "...";
      s += (s.empty() ? "" : ", ") + name + "=" + text;
    }
    return commentSafe(s);
  }

  std::string source() {
    std::string s = banner(opts.name + ".cpp");
    s += "#include \"" + opts.name + ".h\"\n\n";
    for (const std::string &h : headers)
      s += "#include \"" + h + "\"\n";
    bool packed = false;
    for (const Value *c : constants)
      packed |= packedAsWords(c->dtype());
    s += "\n// Weights, defined in " + opts.name + "_weights.cpp (define " + upper +
         "_WEIGHTS_ATTRIBUTE to place\n"
         "// them, e.g. in a section). uint64_t arrays hold the bytes of float and 8/16/32-bit\n"
         "// integer tensors, little-endian, read here through pointers of the element type.\n";
    if (packed)
      s += "#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__\n"
           "#error \"the weights are packed little-endian; this target is big-endian\"\n"
           "#endif\n";
    for (const Value *c : constants)
      s += "extern " + constantDecl(c) + ";\n";
    s += "\nnamespace {\n";
    for (size_t r = 0; r < m.plan.regions.size(); ++r) {
      if (opts.externalArena)
        s += "uint8_t *" + regionSymbol(r) + ";\n";
      else
        s += regionSectionAttribute(r) + "alignas(" +
             std::to_string(m.plan.regions[r].spec.alignment) + ") uint8_t " +
             regionSymbol(r) + "[" + std::to_string(std::max<int64_t>(1, m.plan.regions[r].used)) +
             "];\n";
    }
    s += "} // namespace\n\n";
    if (opts.externalArena) {
      for (size_t r = 0; r < m.plan.regions.size(); ++r)
        s += "extern \"C\" void " + opts.name + "_set_arena" +
             (singleRegion() ? "" : "_" + regionId(r)) + "(void *arena) {\n  " +
             regionSymbol(r) + " = static_cast<uint8_t *>(arena);\n}\n\n";
    }

    s += "extern \"C\" int " + opts.name + "_run(void) {\n";
    for (size_t r = 0; r < m.plan.regions.size(); ++r) {
      if (opts.externalArena)
        s += "  if (!" + regionSymbol(r) + ")\n    return -1;\n";
      s += "  uint8_t *" + regionVar(r) + " = " + regionSymbol(r) + ";\n";
      s += "  TMC_OPAQUE(" + regionVar(r) + ");\n";
    }
    std::vector<Node *> nodes = g.nodes();
    bool anyCode = false;
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node &n = *nodes[i];
      const Lowering &l = m.lowerings[i];
      std::string title = "// " + opName(n.kind()).str() + " '" + commentSafe(n.name()) + "' ";
      if (title.size() < 99)
        title += std::string(99 - title.size(), '-');
      s += "\n  " + title + "\n";
      for (unsigned k = 0; k < n.numInputs(); ++k)
        if (const Value *v = n.input(k))
          s += std::string("  // ") + (k == 0 ? "in:  " : "     ") + describe(v) + "\n";
      for (unsigned k = 0; k < n.numOutputs(); ++k)
        s += std::string("  // ") + (k == 0 ? "out: " : "     ") + describe(n.output(k)) + "\n";
      std::string attrs = attrsComment(n);
      if (!attrs.empty())
        s += "  // " + attrs + "\n";
      if (l.isView) {
        s += "  // (a view of its input: no code)\n";
        continue;
      }
      if (m.plan.elidedSteps.count(static_cast<int>(i))) {
        s += n.kind() == OpKind::Concat
                 ? "  // (its inputs were written in place: no code)\n"
                 : "  // (its outputs are slices of its input in place: no code)\n";
        continue;
      }
      if (l.calls.empty())
        s += "  // (empty tensor: no code)\n";
      for (size_t ci = 0; ci < l.calls.size(); ++ci) {
        const KernelCall &call = l.calls[ci];
        if (m.plan.elidedCalls.count({static_cast<int>(i), static_cast<int>(ci)})) {
          s += "  // (input " + commentSafe(call.args.empty() || !call.args[0].value
                                                 ? std::string("?")
                                                 : call.args[0].value->name()) +
               " was written in place)\n";
          continue;
        }
        anyCode = true;
        s += "  {\n    static const " + call.paramsType + " p = {";
        std::vector<std::string> items;
        for (const ParamField &f : call.params)
          items.push_back("/*" + f.name + "*/ " + f.text);
        std::string line = "    static const " + call.paramsType + " p = {";
        wrapList(s, items, "        ", line.size());
        s += "};\n    " + call.function + "(&p";
        std::vector<std::string> args;
        for (size_t ai = 0; ai < call.args.size(); ++ai)
          args.push_back(argExpr(call.args[ai], ScratchKey{static_cast<int>(i), static_cast<int>(ci),
                                                          static_cast<int>(ai)}));
        std::string callLine = "    " + call.function + "(&p";
        for (const std::string &a : args) {
          if (callLine.size() + a.size() + 2 > 100) {
            s += ",\n        " + a;
            callLine = "        " + a;
          } else {
            s += ", " + a;
            callLine += ", " + a;
          }
        }
        s += ");\n  }\n";
      }
      s += "  TMC_BARRIER();\n";
    }
    if (!anyCode)
      for (size_t r = 0; r < m.plan.regions.size(); ++r)
        s += "  (void)" + regionVar(r) + ";\n";
    s += "  return 0;\n}\n\n";

    std::string unset;
    for (size_t r = 0; r < m.plan.regions.size() && opts.externalArena; ++r)
      unset += "  if (!" + regionSymbol(r) + ")\n    return nullptr;\n";
    s += "extern \"C\" void *" + opts.name + "_input(int index) {\n" + unset +
         "  switch (index) {\n";
    for (size_t i = 0; i < g.inputs().size(); ++i)
      s += "  case " + std::to_string(i) + ":\n    return " +
           apiAddress(m.plan.of(g.inputs()[i]), upper + "_INPUT_" + std::to_string(i) + "_OFFSET") +
           ";\n";
    s += "  default:\n    return nullptr;\n  }\n}\n\n";
    s += "extern \"C\" void *" + opts.name + "_output(int index) {\n" + unset +
         "  switch (index) {\n";
    for (size_t i = 0; i < g.outputs().size(); ++i)
      s += "  case " + std::to_string(i) + ":\n    return " +
           apiAddress(m.plan.of(g.outputs()[i]), upper + "_OUTPUT_" + std::to_string(i) + "_OFFSET") +
           ";\n";
    s += "  default:\n    return nullptr;\n  }\n}\n\n";

    s += "extern \"C\" int " + opts.name +
         "_invoke(const void *const *inputs, void *const *outputs) {\n";
    if (g.inputs().empty())
      s += "  (void)inputs;\n";
    if (g.outputs().empty())
      s += "  (void)outputs;\n";
    for (size_t r = 0; r < m.plan.regions.size() && opts.externalArena; ++r)
      s += "  if (!" + regionSymbol(r) + ")\n    return -1;\n";
    for (size_t i = 0; i < g.inputs().size(); ++i) {
      std::string p = upper + "_INPUT_" + std::to_string(i);
      s += "  memcpy(" + apiAddress(m.plan.of(g.inputs()[i]), p + "_OFFSET") + ", inputs[" +
           std::to_string(i) + "], " + p + "_SIZE);\n";
    }
    s += "  const int status = " + opts.name + "_run();\n";
    for (size_t i = 0; i < g.outputs().size(); ++i) {
      std::string p = upper + "_OUTPUT_" + std::to_string(i);
      s += "  memcpy(outputs[" + std::to_string(i) + "], " +
           apiAddress(m.plan.of(g.outputs()[i]), p + "_OFFSET") + ", " + p + "_SIZE);\n";
    }
    s += "  return status;\n}\n";
    return s;
  }

  std::string weights() const {
    // The fixed text per tensor and per file is kept short: on a small model
    // (1.3 KB of weights) it is a fifth of the file.
    std::string s = banner(opts.name + "_weights.cpp");
    s += "// " + std::to_string(constants.size()) + " tensors, " +
         std::to_string(weightBytes(m)) + " bytes\n";
    bool math = false;
    for (const Value *c : constants)
      math |= !packedAsWords(c->dtype()) && needsMath(c);
    s += "#include <stdint.h>\n";
    if (math)
      s += "#include <math.h>\n";
    std::string attr = upper + "_WEIGHTS_ATTRIBUTE";
    s += "#ifndef " + attr + "\n#define " + attr + "\n#endif\n";
    // One declaration per run of tensors of the same stored type, one
    // declarator (one named array) per tensor: extern on a const definition
    // gives it external linkage.
    for (size_t t = 0; t < constants.size(); ++t) {
      const Value *c = constants[t];
      if (t == 0 || storedType(constants[t - 1]) != storedType(c))
        s += "\nalignas(16) " + attr + " extern const " + storedType(c) + "\n";
      s += "// '" + commentSafe(c->name()) + "' " + c->typeString() + " " +
           std::to_string(c->byteSize()) + " B sha256 " + sha256Hex(c->bytes()).substr(0, 8) +
           "\n";
      s += constantDeclarator(c) + "={\n";
      std::vector<std::string> items;
      if (packedAsWords(c->dtype())) {
        llvm::ArrayRef<uint8_t> b = c->bytes();
        size_t words = wordCount(c);
        for (size_t w = 0; w < words; ++w) {
          // Tensor bytes are little-endian; the first byte lands in the low
          // bits, a short tail is zero-padded.
          uint64_t v = 0;
          for (size_t k = 0; k < 8 && 8 * w + k < b.size(); ++k)
            v |= static_cast<uint64_t>(b[8 * w + k]) << (8 * k);
          items.push_back(hex64(v));
        }
      } else {
        for (int64_t i = 0; i < c->numElements(); ++i)
          items.push_back(literal(c->dtype(), c->bytes().data(), static_cast<size_t>(i)));
        if (items.empty())
          items.push_back("0");
      }
      // No spaces and no indentation: the text is the flash image, kept
      // near 2.4 bytes of source per byte of weights.
      size_t col = 0;
      for (size_t i = 0; i < items.size(); ++i) {
        std::string piece = items[i] + (i + 1 < items.size() ? "," : "");
        if (col > 0 && col + piece.size() > 100) {
          s += "\n";
          col = 0;
        }
        s += piece;
        col += piece.size();
      }
      bool last = t + 1 == constants.size() || storedType(constants[t + 1]) != storedType(c);
      s += last ? "};\n" : "},\n";
    }
    return s;
  }

  const CompiledModel &m;
  const Graph &g;
  const CodegenOptions &opts;
  std::string upper;
  std::set<std::string> headers; ///< ordered: includes print sorted
  llvm::DenseMap<const Value *, std::string> symbols;
  std::vector<const Value *> constants; ///< in order of first use
};

} // namespace

int64_t weightBytes(const CompiledModel &m, bool eightBitOnly) {
  llvm::DenseSet<const Value *> seen;
  int64_t total = 0;
  for (const Lowering &l : m.lowerings)
    for (const KernelCall &call : l.calls)
      for (const KernelArg &a : call.args)
        if (a.kind == KernelArg::Kind::Input && a.value->isConstant() &&
            (!eightBitOnly || dtypeSize(a.value->dtype()) == 1) && seen.insert(a.value).second)
          total += static_cast<int64_t>(a.value->byteSize());
  return total;
}

std::vector<GeneratedFile> emitCpp(const CompiledModel &m, const CodegenOptions &opts) {
  return Emitter(m, opts).run();
}

} // namespace tinymlc
