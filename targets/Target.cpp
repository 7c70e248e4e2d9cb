//===- Target.cpp - reading and checking target descriptions --------------===//
#include "targets/Target.h"
#include "ir/Diagnostic.h"
#include "targets/TargetSources.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace tinymlc {

namespace {

using json = nlohmann::json;

/// A problem at one place of the document; turned into a located Diagnostic.
struct SchemaError {
  std::string path, message;
};

const char *typeName(const json &j) {
  switch (j.type()) {
  case json::value_t::null:
    return "null";
  case json::value_t::boolean:
    return "a boolean";
  case json::value_t::string:
    return "a string";
  case json::value_t::array:
    return "an array";
  case json::value_t::object:
    return "an object";
  case json::value_t::number_float:
    return "a fraction";
  default:
    return "a number";
  }
}

/// Walks the document, checking each value where it is read. The first
/// problem wins (later ones are often consequences of it).
class Reader {
public:
  explicit Reader(const json &root) : root(root) {}

  llvm::Expected<Target> read(llvm::StringRef file) {
    Target t;
    t.source = file.str();
    if (!root.is_object()) {
      fail("", std::string("expected an object describing the target, got ") + typeName(root));
      return take();
    }
    if (!keys(root, "",
              {"name", "description", "arch", "core", "cflags", "features", "memory", "kernels",
               "board"}))
      return take();
    t.name = str(root, "", "name", true);
    if (ok && !validName(t.name))
      fail("/name", "'" + t.name + "' is not a valid target name (use a-z, 0-9, '-', '_' and '.')");
    t.description = str(root, "", "description", false);
    t.arch = oneOf(root, "", "arch", {"arm", "riscv", "host"}, "", true);
    t.core = str(root, "", "core", true);
    if (ok && root.contains("cflags")) {
      const json &f = root["cflags"];
      if (!f.is_array())
        fail("/cflags", std::string("expected an array of compiler flags, got ") + typeName(f));
      for (size_t i = 0; ok && f.is_array() && i < f.size(); ++i) {
        if (!f[i].is_string() || f[i].get<std::string>().empty())
          fail("/cflags/" + std::to_string(i), "expected a non-empty string");
        else
          t.cflags.push_back(f[i].get<std::string>());
      }
    }
    if (ok && root.contains("features"))
      readFeatures(root["features"], t);
    if (ok && !root.contains("memory"))
      fail("", "missing \"memory\" (the RAM regions and the flash size)");
    if (ok)
      readMemory(root["memory"], t);
    if (ok && root.contains("kernels")) {
      const json &k = root["kernels"];
      if (!isObject(k, "/kernels") || !keys(k, "/kernels", {"layout", "prefer"}))
        return take();
      t.layout = oneOf(k, "/kernels", "layout", {"nchw"},
                       " (this compiler generates NCHW code only)", false, "nchw");
      if (ok && k.contains("prefer")) {
        const json &p = k["prefer"];
        if (!p.is_array() || p.empty())
          fail("/kernels/prefer", "expected a non-empty array of kernel families");
        t.kernels.clear();
        for (size_t i = 0; ok && i < p.size(); ++i) {
          if (!p[i].is_string() || p[i].get<std::string>() != "portable")
            fail("/kernels/prefer/" + std::to_string(i),
                 "unknown kernel family " + p[i].dump() +
                     " (this compiler has the portable runtime-min kernels only: \"portable\")");
          else
            t.kernels.push_back("portable");
        }
      }
    }
    if (ok && root.contains("board")) {
      const json &b = root["board"];
      if (isObject(b, "/board") && keys(b, "/board", {"qemu_machine"}))
        t.qemuMachine = str(b, "/board", "qemu_machine", false);
    }
    if (!ok)
      return take();
    return t;
  }

private:
  const json &root;
  bool ok = true;
  SchemaError err;

  bool fail(const std::string &path, const std::string &message) {
    if (ok)
      err = {path.empty() ? "/" : path, message};
    ok = false;
    return false;
  }
  llvm::Error take() { return makeError(err.path, err.message); }

  static bool validName(const std::string &s) {
    if (s.empty())
      return false;
    for (char c : s)
      if (!(llvm::isAlnum(c) || c == '-' || c == '_' || c == '.'))
        return false;
    return true;
  }

  bool isObject(const json &j, const std::string &path) {
    if (!j.is_object())
      return fail(path, std::string("expected an object, got ") + typeName(j));
    return ok;
  }

  /// Every key of `obj` is one of `known`: a typo is an error, not a default.
  bool keys(const json &obj, const std::string &path, std::initializer_list<const char *> known) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      bool found = false;
      std::string names;
      for (const char *k : known) {
        found |= it.key() == k;
        names += std::string(names.empty() ? "" : ", ") + k;
      }
      if (!found)
        return fail(path + "/" + it.key(),
                    "unknown key \"" + it.key() + "\" (expected: " + names + ")");
    }
    return ok;
  }

  std::string str(const json &obj, const std::string &path, const char *key, bool required) {
    if (!ok)
      return "";
    if (!obj.contains(key)) {
      if (required)
        fail(path, std::string("missing \"") + key + "\"");
      return "";
    }
    const json &v = obj[key];
    if (!v.is_string() || (required && v.get<std::string>().empty())) {
      fail(path + "/" + key, std::string("expected a") + (required ? " non-empty" : "") +
                                 " string, got " + (v.is_string() ? "\"\"" : typeName(v)));
      return "";
    }
    return v.get<std::string>();
  }

  std::string oneOf(const json &obj, const std::string &path, const char *key,
                    std::initializer_list<const char *> allowed, const std::string &why,
                    bool required, const char *dflt = "") {
    if (!ok)
      return dflt;
    if (!obj.contains(key)) {
      if (required)
        fail(path, std::string("missing \"") + key + "\"");
      return dflt;
    }
    const json &v = obj[key];
    std::string names;
    for (const char *a : allowed) {
      if (v.is_string() && v.get<std::string>() == a)
        return a;
      names += std::string(names.empty() ? "" : ", ") + "\"" + a + "\"";
    }
    fail(path + "/" + key, "expected one of " + names + ", got " + v.dump() + why);
    return dflt;
  }

  /// A byte count: a positive integer, or a string with a K or M suffix
  /// ("128K"); null means no limit.
  int64_t bytes(const json &v, const std::string &path, bool allowNull) {
    if (!ok)
      return -1;
    if (v.is_null() && allowNull)
      return -1;
    if (v.is_number_integer()) {
      bool huge = v.is_number_unsigned() && v.get<uint64_t>() > (uint64_t(1) << 40);
      int64_t n = huge ? 0 : v.get<int64_t>();
      if (huge || n > (int64_t(1) << 40)) {
        fail(path, "byte count " + v.dump() + " is too large");
        return -1;
      }
      if (n <= 0) {
        fail(path, "expected a byte count > 0, got " + v.dump());
        return -1;
      }
      return n;
    }
    if (v.is_string()) {
      llvm::StringRef s(v.get_ref<const std::string &>());
      int64_t unit = 1;
      if (s.consume_back("K"))
        unit = 1024;
      else if (s.consume_back("M"))
        unit = 1024 * 1024;
      int64_t n;
      if (!s.getAsInteger(10, n) && n > 0 && n <= (int64_t(1) << 30))
        return n * unit;
    }
    fail(path, "expected a byte count (an integer, or a string like \"128K\" or \"1M\")" +
                   std::string(allowNull ? " or null for no limit" : "") + ", got " + v.dump());
    return -1;
  }

  void readFeatures(const json &f, Target &t) {
    if (!isObject(f, "/features") || !keys(f, "/features", {"fpu", "dsp", "mve", "riscv"}))
      return;
    t.features.fpu = oneOf(f, "/features", "fpu", {"none", "sp", "dp"}, "", false, "none");
    if (ok && f.contains("dsp")) {
      if (!f["dsp"].is_boolean())
        fail("/features/dsp", std::string("expected true or false, got ") + typeName(f["dsp"]));
      else
        t.features.dsp = f["dsp"].get<bool>();
    }
    t.features.mve = oneOf(f, "/features", "mve", {"none", "int", "float"}, "", false, "none");
    t.features.riscv = str(f, "/features", "riscv", false);
    if (!ok)
      return;
    if (t.arch != "arm" && (t.features.dsp || t.features.mve != "none"))
      fail("/features",
           "\"dsp\" and \"mve\" are Arm extensions, but \"arch\" is \"" + t.arch + "\"");
    else if (!t.features.riscv.empty() && t.arch != "riscv")
      fail("/features/riscv", "RISC-V extensions given, but \"arch\" is \"" + t.arch + "\"");
    else if (!t.features.riscv.empty() && (!llvm::StringRef(t.features.riscv).startswith("rv32") &&
                                           !llvm::StringRef(t.features.riscv).startswith("rv64")))
      fail("/features/riscv",
           "expected an ISA string like \"rv32imac\", got \"" + t.features.riscv + "\"");
  }

  void readMemory(const json &m, Target &t) {
    if (!isObject(m, "/memory") || !keys(m, "/memory", {"regions", "flash"}))
      return;
    if (!m.contains("regions")) {
      fail("/memory", "missing \"regions\" (the RAM regions, fastest first)");
      return;
    }
    const json &rs = m["regions"];
    if (!rs.is_array() || rs.empty()) {
      fail("/memory/regions", "expected a non-empty array of regions, fastest first");
      return;
    }
    std::set<std::string> seen;
    for (size_t i = 0; ok && i < rs.size(); ++i) {
      std::string p = "/memory/regions/" + std::to_string(i);
      const json &r = rs[i];
      if (!isObject(r, p) || !keys(r, p, {"name", "size", "alignment", "section"}))
        return;
      TargetRegion reg;
      reg.name = str(r, p, "name", true);
      if (ok && !validName(reg.name))
        fail(p + "/name", "'" + reg.name + "' is not a valid region name (use a-z, 0-9, '-', '_')");
      if (ok && !seen.insert(llvm::StringRef(reg.name).lower()).second)
        fail(p + "/name", "region '" + reg.name + "' is listed twice");
      if (ok && !r.contains("size"))
        fail(p, "missing \"size\" (bytes, or null for no limit)");
      if (ok)
        reg.size = bytes(r["size"], p + "/size", true);
      if (ok && r.contains("alignment")) {
        const json &a = r["alignment"];
        int64_t v = a.is_number_integer() ? a.get<int64_t>() : 0;
        if (v < 1 || v > 4096 || (v & (v - 1)))
          fail(p + "/alignment", "expected a power of two from 1 to 4096, got " + a.dump());
        reg.alignment = v;
      }
      reg.section = str(r, p, "section", false);
      t.regions.push_back(reg);
    }
    if (ok && !m.contains("flash"))
      fail("/memory", "missing \"flash\" (bytes for code and weights, or null for no limit)");
    if (ok)
      t.flash = bytes(m["flash"], "/memory/flash", true);
  }
};

/// 1-based line and column of byte `offset` in `text`.
std::pair<int, int> lineColumn(llvm::StringRef text, size_t offset) {
  int line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

} // namespace

int64_t Target::ramSize() const {
  int64_t total = 0;
  for (const TargetRegion &r : regions) {
    if (r.size < 0)
      return -1;
    total += r.size;
  }
  return total;
}

llvm::Expected<Target> parseTarget(llvm::StringRef text, llvm::StringRef file) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error &e) {
    auto [line, col] = lineColumn(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string what = e.what();
    // nlohmann's text: "[json.exception.parse_error.101] parse error at line 3, column 5: <why>"
    size_t colon = what.find(": ");
    std::string why = colon == std::string::npos ? what : what.substr(colon + 2);
    auto err = makeError("line " + std::to_string(line) + ", column " + std::to_string(col),
                         "not valid JSON: " + why);
    return withFile(std::move(err), file);
  }
  auto t = Reader(doc).read(file);
  if (!t)
    return withFile(t.takeError(), file);
  return t;
}

const std::vector<Target> &builtinTargets() {
  static const std::vector<Target> targets = [] {
    std::vector<Target> all;
    for (const TargetSource &s : targetSources()) {
      auto t = parseTarget(s.text, std::string("targets/") + s.name);
      // The built-in files are checked by the unit tests; a bad one is a build bug.
      assert(t && "a built-in target description is invalid");
      if (!t) {
        llvm::consumeError(t.takeError());
        continue;
      }
      t->source = "built-in";
      all.push_back(std::move(*t));
    }
    std::sort(all.begin(), all.end(),
              [](const Target &a, const Target &b) { return a.name < b.name; });
    return all;
  }();
  return targets;
}

llvm::Expected<Target> findTarget(llvm::StringRef nameOrFile) {
  if (nameOrFile.endswith(".json") || nameOrFile.contains('/')) {
    auto buf = llvm::MemoryBuffer::getFile(nameOrFile, /*IsText=*/true);
    if (!buf)
      return makeUsageError("cannot read the target description '" + nameOrFile +
                            "': " + buf.getError().message());
    return parseTarget((*buf)->getBuffer(), nameOrFile);
  }
  for (const Target &t : builtinTargets())
    if (t.name == nameOrFile)
      return t;
  std::string names;
  for (const Target &t : builtinTargets())
    names += (names.empty() ? "" : ", ") + t.name;
  return makeUsageError("unknown target '" + nameOrFile + "' (targets: " + names +
                        "; or give a description file, NAME.json; 'tinymlc targets' lists them)");
}

std::string formatBytes(int64_t bytes) {
  if (bytes < 0)
    return "unlimited";
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
    return std::to_string(bytes / (1024 * 1024)) + "M";
  if (bytes >= 1024 && bytes % 1024 == 0)
    return std::to_string(bytes / 1024) + "K";
  return std::to_string(bytes);
}

} // namespace tinymlc
