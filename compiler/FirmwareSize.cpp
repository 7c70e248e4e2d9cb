//===- FirmwareSize.cpp - `tinymlc size`: what a firmware costs -----------===//
//
// The ELF is read here rather than with LLVM's Object library: that library
// links statically with LLVM Core, BitReader, MC and TextAPI (15 libraries),
// while the section and symbol tables this needs are a few fixed-layout
// records.
//
//===----------------------------------------------------------------------===//
#include "compiler/FirmwareSize.h"
#include "codegen/CppEmitter.h"
#include "ir/Diagnostic.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

namespace tinymlc {

namespace {

using json = nlohmann::ordered_json;
namespace ELF = llvm::ELF;

//===----------------------------------------------------------------------===//
// ELF
//===----------------------------------------------------------------------===//

struct ElfSection {
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0, addr = 0, offset = 0, size = 0;
  uint32_t link = 0;
  bool alloc() const { return flags & ELF::SHF_ALLOC; }
  bool exec() const { return flags & ELF::SHF_EXECINSTR; }
  bool write() const { return flags & ELF::SHF_WRITE; }
  bool inFlash() const { return alloc() && type != ELF::SHT_NOBITS; }
  bool inRam() const { return alloc() && write(); }
};

struct ElfSymbol {
  std::string name; ///< demangled, without "(anonymous namespace)::"
  std::string file; ///< the STT_FILE symbol a local symbol follows
  uint64_t value = 0, size = 0;
  uint32_t section = 0; ///< index into ElfImage::sections, or a reserved index
  uint8_t type = 0, bind = 0;
};

struct ElfImage {
  bool is64 = false;
  uint16_t machine = 0;
  std::vector<ElfSection> sections;
  std::vector<ElfSymbol> symbols;
  bool hasSymtab = false;
};

std::string machineName(uint16_t m) {
  switch (m) {
  case ELF::EM_ARM:
    return "ARM";
  case ELF::EM_RISCV:
    return "RISC-V";
  case ELF::EM_X86_64:
    return "x86-64";
  case ELF::EM_386:
    return "x86";
  case ELF::EM_AARCH64:
    return "AArch64";
  case ELF::EM_XTENSA:
    return "Xtensa";
  default:
    return "machine " + std::to_string(m);
  }
}

/// Bounds-checked little-endian reads; the first read past the end makes
/// `truncated` true and every read after it returns 0.
struct Reader {
  llvm::StringRef data;
  bool truncated = false;
  uint64_t get(uint64_t off, unsigned bytes) {
    if (truncated || off > data.size() || data.size() - off < bytes) {
      truncated = true;
      return 0;
    }
    const char *p = data.data() + off;
    switch (bytes) {
    case 1:
      return static_cast<uint8_t>(*p);
    case 2:
      return llvm::support::endian::read16le(p);
    case 4:
      return llvm::support::endian::read32le(p);
    default:
      return llvm::support::endian::read64le(p);
    }
  }
  llvm::StringRef str(uint64_t off) {
    if (truncated || off >= data.size()) {
      truncated = true;
      return "";
    }
    llvm::StringRef s = data.drop_front(off);
    return s.take_until([](char c) { return c == '\0'; });
  }
};

std::string cleanName(llvm::StringRef raw) {
  std::string s = raw.startswith("_Z") ? llvm::demangle(raw.str()) : raw.str();
  const std::string anon = "(anonymous namespace)::";
  for (size_t at; (at = s.find(anon)) != std::string::npos;)
    s.erase(at, anon.size());
  return s;
}

llvm::Expected<ElfImage> readElf(llvm::StringRef path, llvm::StringRef data) {
  auto bad = [&](const llvm::Twine &why) { return makeError(path, why); };
  if (data.size() < 16 || !data.startswith("\x7f"
                                           "ELF"))
    return bad("not an ELF file (expected the linked firmware, e.g. firmware.elf)");
  ElfImage img;
  uint8_t cls = static_cast<uint8_t>(data[ELF::EI_CLASS]);
  if (cls != ELF::ELFCLASS32 && cls != ELF::ELFCLASS64)
    return bad("unknown ELF class " + llvm::Twine(unsigned(cls)));
  if (static_cast<uint8_t>(data[ELF::EI_DATA]) != ELF::ELFDATA2LSB)
    return bad("a big-endian ELF; only little-endian firmware is supported");
  img.is64 = cls == ELF::ELFCLASS64;
  Reader r{data};
  unsigned word = img.is64 ? 8 : 4;
  img.machine = static_cast<uint16_t>(r.get(18, 2));
  uint64_t shoff = r.get(img.is64 ? 40 : 32, word);
  unsigned shentsize = static_cast<unsigned>(r.get(img.is64 ? 58 : 46, 2));
  uint64_t shnum = r.get(img.is64 ? 60 : 48, 2);
  uint64_t shstrndx = r.get(img.is64 ? 62 : 50, 2);
  if (r.truncated)
    return bad("truncated ELF header");
  if (shoff == 0)
    return bad("has no section headers (a stripped or raw image?); measure the ELF the "
               "linker wrote");
  if (shentsize != (img.is64 ? 64u : 40u))
    return bad("unexpected section header size " + llvm::Twine(shentsize));
  // More than 0xff00 sections: the count and the string table index live in
  // section 0.
  if (shnum == 0)
    shnum = r.get(shoff + (img.is64 ? 32 : 20), word);
  if (shstrndx == ELF::SHN_XINDEX)
    shstrndx = r.get(shoff + (img.is64 ? 40 : 24), 4);
  if (r.truncated || shnum > data.size() / shentsize)
    return bad("truncated ELF: the section headers run past the end of the file");
  std::vector<uint32_t> nameOffsets;
  for (uint64_t i = 0; i < shnum; ++i) {
    uint64_t h = shoff + i * shentsize;
    ElfSection s;
    nameOffsets.push_back(static_cast<uint32_t>(r.get(h, 4)));
    s.type = static_cast<uint32_t>(r.get(h + 4, 4));
    s.flags = r.get(h + 8, word);
    s.addr = r.get(h + (img.is64 ? 16 : 12), word);
    s.offset = r.get(h + (img.is64 ? 24 : 16), word);
    s.size = r.get(h + (img.is64 ? 32 : 20), word);
    s.link = static_cast<uint32_t>(r.get(h + (img.is64 ? 40 : 24), 4));
    img.sections.push_back(s);
  }
  if (r.truncated)
    return bad("truncated ELF: the section headers run past the end of the file");
  auto tableOf = [&](const ElfSection &s) -> std::optional<llvm::StringRef> {
    if (s.type == ELF::SHT_NOBITS || s.offset > data.size() || data.size() - s.offset < s.size)
      return std::nullopt;
    return data.substr(s.offset, s.size);
  };
  if (shstrndx < img.sections.size()) {
    auto names = tableOf(img.sections[shstrndx]);
    if (!names)
      return bad("truncated ELF: the section name table runs past the end of the file");
    Reader nr{*names};
    for (size_t i = 0; i < img.sections.size(); ++i)
      img.sections[i].name = nr.str(nameOffsets[i]).str();
  }
  for (const ElfSection &s : img.sections) {
    if (s.type != ELF::SHT_SYMTAB)
      continue;
    img.hasSymtab = true;
    auto table = tableOf(s);
    auto strings = s.link < img.sections.size() ? tableOf(img.sections[s.link]) : std::nullopt;
    if (!table || !strings)
      return bad("truncated ELF: the symbol table runs past the end of the file");
    Reader sr{*table}, str{*strings};
    unsigned entry = img.is64 ? 24 : 16;
    std::string file;
    for (uint64_t off = entry; off + entry <= table->size(); off += entry) {
      ElfSymbol sym;
      uint32_t name = static_cast<uint32_t>(sr.get(off, 4));
      uint8_t info = static_cast<uint8_t>(sr.get(off + (img.is64 ? 4 : 12), 1));
      sym.section = static_cast<uint32_t>(sr.get(off + (img.is64 ? 6 : 14), 2));
      sym.value = sr.get(off + (img.is64 ? 8 : 4), word);
      sym.size = sr.get(off + (img.is64 ? 16 : 8), word);
      sym.type = info & 0xf;
      sym.bind = info >> 4;
      llvm::StringRef raw = str.str(name);
      if (sym.type == ELF::STT_FILE) {
        file = llvm::sys::path::filename(raw).str();
        continue;
      }
      sym.name = cleanName(raw);
      if (sym.bind == ELF::STB_LOCAL)
        sym.file = file;
      img.symbols.push_back(std::move(sym));
    }
    if (str.truncated)
      return bad("truncated ELF: a symbol name lies outside the string table");
    break;
  }
  return img;
}

//===----------------------------------------------------------------------===//
// The linker map
//===----------------------------------------------------------------------===//

/// Bytes of each (output section, object file) pair in a GNU ld map, the
/// object named by its file name (an archive member by the member's).
using MapBytes = std::map<std::pair<std::string, std::string>, int64_t>;

std::string objectName(llvm::StringRef path) {
  path = path.trim();
  if (path.endswith(")") && path.contains('(')) // libfoo.a(member.o)
    path = path.drop_back().substr(path.rfind('(') + 1);
  return llvm::sys::path::filename(path).str();
}

/// The input sections of a GNU ld map: under "Linker script and memory map",
/// an output section starts in column 0 (".text  0x...  0x..."); each input
/// section is " .name 0xADDR 0xSIZE object", or " .name" alone on a line when
/// the name is long, with the address, size and object on the next.
llvm::Expected<MapBytes> readMap(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf)
    return makeError(path, "cannot read the linker map: " + buf.getError().message());
  llvm::StringRef text = (*buf)->getBuffer();
  size_t start = text.find("Linker script and memory map");
  if (start == llvm::StringRef::npos)
    return makeError(path, "not a GNU ld map (no \"Linker script and memory map\"; link with "
                           "-Wl,-Map=FILE)");
  MapBytes bytes;
  std::string section;
  bool pending = false;
  llvm::SmallVector<llvm::StringRef, 8> lines;
  text.substr(start).split(lines, '\n');
  auto addFields = [&](llvm::ArrayRef<llvm::StringRef> f) {
    // f: address, size, object...
    uint64_t size;
    if (f.size() < 3 || !f[0].startswith("0x") || !f[1].startswith("0x") ||
        f[1].drop_front(2).getAsInteger(16, size))
      return;
    std::string object = f[2].str();
    for (size_t i = 3; i < f.size(); ++i) // paths with spaces
      object += " " + f[i].str();
    bytes[{section, objectName(object)}] += static_cast<int64_t>(size);
  };
  for (llvm::StringRef line : llvm::ArrayRef<llvm::StringRef>(lines).drop_front()) {
    line = line.rtrim("\r");
    llvm::SmallVector<llvm::StringRef, 8> f;
    line.split(f, ' ', -1, /*KeepEmpty=*/false);
    if (line.startswith(".")) {
      section = f[0].str();
      pending = false;
      continue;
    }
    if (line.startswith(" .") || line.startswith(" COMMON")) {
      pending = f.size() == 1;
      if (!pending)
        addFields(llvm::ArrayRef<llvm::StringRef>(f).drop_front());
      continue;
    }
    if (pending && !f.empty())
      addFields(f);
    pending = false;
  }
  if (bytes.empty())
    return makeError(path, "no input sections in this linker map");
  return bytes;
}

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

struct ModelInput {
  std::string name, reportPath;
  json report;
  bool externalArena = false;
};

llvm::Expected<ModelInput> readModel(llvm::StringRef given) {
  std::string path = given.str();
  if (llvm::sys::fs::is_directory(path)) {
    std::vector<std::string> found;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec; it.increment(ec))
      if (llvm::StringRef(it->path()).endswith(".report.json"))
        found.push_back(it->path());
    if (found.size() != 1)
      return makeError(given, found.empty()
                                  ? "no <name>.report.json in this directory (is it a "
                                    "directory that 'tinymlc compile -o' wrote?)"
                                  : "holds several <name>.report.json files; pass each one "
                                    "with its own --model");
    path = found[0];
  }
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf)
    return makeError(path, "cannot read: " + buf.getError().message());
  ModelInput m;
  m.reportPath = path;
  m.report = json::parse((*buf)->getBuffer().begin(), (*buf)->getBuffer().end(), nullptr,
                         /*allow_exceptions=*/false);
  const json &j = m.report;
  if (j.is_discarded() || !j.is_object() || !j.contains("name") || !j["name"].is_string() ||
      !j.contains("memory") || !j["memory"].contains("arena_bytes") || !j.contains("flash") ||
      !j["flash"].contains("weights_bytes"))
    return makeError(path, "not a tinymlc report (expected the <name>.report.json that "
                           "'tinymlc compile' writes)");
  m.name = j["name"].get<std::string>();
  // The manifest beside the report says whether the arena is the caller's.
  llvm::SmallString<256> manifest(llvm::sys::path::parent_path(path));
  llvm::sys::path::append(manifest, m.name + ".manifest.json");
  if (auto mb = llvm::MemoryBuffer::getFile(manifest, /*IsText=*/true)) {
    json mj = json::parse((*mb)->getBuffer().begin(), (*mb)->getBuffer().end(), nullptr, false);
    if (!mj.is_discarded() && mj.contains("flags") && mj["flags"].contains("arena"))
      m.externalArena = mj["flags"]["arena"] == "external";
  }
  return m;
}

/// The model a file name ("digits.cpp.o", "digits_weights.cpp") belongs to,
/// and whether it is the weights file.
struct Owner {
  int model = -1;
  bool weightsFile = false;
};

/// "digits" of "digits.cpp.o", "digits.cpp.obj", "digits.cpp" or "digits".
llvm::StringRef sourceStem(llvm::StringRef file) {
  llvm::StringRef stem = file;
  for (llvm::StringRef ext : {".o", ".obj"})
    if (stem.consume_back(ext))
      break;
  for (llvm::StringRef ext : {".cpp", ".cc", ".cxx", ".c++"})
    if (stem.consume_back(ext))
      break;
  return stem;
}

Owner ownerOfFile(llvm::StringRef file, const std::vector<ModelInput> &models) {
  llvm::StringRef stem = sourceStem(file);
  for (size_t i = 0; i < models.size(); ++i) {
    if (stem == models[i].name)
      return {static_cast<int>(i), false};
    if (stem == models[i].name + "_weights")
      return {static_cast<int>(i), true};
  }
  return {};
}

/// The model whose "<name>_" prefixes a global symbol (the longest such name:
/// "digits_ext_run" is digits_ext's, not digits').
int ownerOfSymbol(llvm::StringRef symbol, const std::vector<ModelInput> &models) {
  int best = -1;
  for (size_t i = 0; i < models.size(); ++i)
    if (symbol.startswith(models[i].name + "_") &&
        (best < 0 || models[i].name.size() > models[best].name.size()))
      best = static_cast<int>(i);
  return best;
}

/// The function in a .su line's signature: "tmc::conv" of "void tmc::conv(const
/// ConvParams*, ...) [with T = float]", "digits_run" of "int digits_run()".
std::string suFunction(llvm::StringRef signature) {
  llvm::StringRef s = signature.take_until([](char c) { return c == '('; }).rtrim();
  size_t space = s.find_last_of(" *&");
  if (space != llvm::StringRef::npos)
    s = s.drop_front(space + 1);
  return s.str();
}

/// The files for <name>.cpp ending in `ext` (".su", ".ci") under `dirs`:
/// <name>.su, <name>.cpp.su or <name>.cpp.o.su, as GCC versions and build
/// tools name them.
std::vector<std::string> filesOfModel(const std::vector<std::string> &dirs, const ModelInput &m,
                                      llvm::StringRef ext) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const std::string &dir : dirs)
    for (llvm::sys::fs::recursive_directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec)) {
      llvm::StringRef name = llvm::sys::path::filename(it->path());
      if (name.consume_back(ext) && sourceStem(name) == m.name)
        files.push_back(it->path());
    }
  std::sort(files.begin(), files.end());
  return files;
}

/// The text between `key: "` and the closing quote in a VCG line.
std::string vcgField(llvm::StringRef line, llvm::StringRef key) {
  size_t at = line.find((key + ": \"").str());
  if (at == llvm::StringRef::npos)
    return "";
  llvm::StringRef rest = line.drop_front(at + key.size() + 3);
  std::string out;
  for (size_t i = 0; i < rest.size() && rest[i] != '"'; ++i) {
    if (rest[i] == '\\' && i + 1 < rest.size() && (rest[i + 1] == '"' || rest[i + 1] == '\\'))
      ++i; // \" and \\; a line break stays the two characters \n
    out += rest[i];
  }
  return out;
}

/// The static worst-case stack of <name>_run from GCC's call graph
/// (-fcallgraph-info=su, a VCG file per object): the deepest path from the
/// run function, each function's frame from its node. Functions of other
/// objects (libm's floorf, expf) have no frame there and are named as not
/// counted. Recursion or a dynamic frame leaves it unknown.
bool stackFromCallGraph(const std::vector<std::string> &files, const ModelInput &m,
                        ModelCost &cost) {
  struct Fn {
    std::string label;
    std::optional<int64_t> frame;
    bool dynamic = false;
    std::vector<std::string> callees;
  };
  std::map<std::string, Fn> fns;
  std::string run;
  for (const std::string &f : files) {
    auto buf = llvm::MemoryBuffer::getFile(f, /*IsText=*/true);
    if (!buf)
      continue;
    llvm::SmallVector<llvm::StringRef, 64> lines;
    (*buf)->getBuffer().split(lines, '\n', -1, false);
    for (llvm::StringRef line : lines) {
      if (line.startswith("node:")) {
        std::string title = vcgField(line, "title");
        llvm::SmallVector<llvm::StringRef, 4> label;
        std::string text = vcgField(line, "label");
        llvm::StringRef(text).split(label, "\\n");
        Fn &fn = fns[title];
        fn.label = suFunction(label.empty() ? title : label[0]);
        if (fn.label == m.name + "_run")
          run = title;
        if (label.size() >= 3) {
          int64_t bytes;
          llvm::StringRef last = label.back();
          if (!last.take_until([](char c) { return c == ' '; }).getAsInteger(10, bytes)) {
            fn.frame = bytes;
            fn.dynamic = last.contains("dynamic") && !last.contains("bounded");
          }
        }
      } else if (line.startswith("edge:")) {
        fns[vcgField(line, "sourcename")].callees.push_back(vcgField(line, "targetname"));
      }
    }
  }
  if (run.empty())
    return false;
  // Depth-first, memoised; a function met again on the current path is recursion.
  std::map<std::string, int64_t> depth;
  std::set<std::string> onPath, notCounted;
  std::string problem;
  std::function<int64_t(const std::string &)> deepest = [&](const std::string &title) {
    if (auto it = depth.find(title); it != depth.end())
      return it->second;
    Fn &fn = fns[title];
    if (!fn.frame) {
      notCounted.insert(fn.label);
      return int64_t(0);
    }
    if (fn.dynamic && problem.empty())
      problem = fn.label + " has a dynamic stack frame";
    if (!onPath.insert(title).second) {
      if (problem.empty())
        problem = fn.label + " is recursive";
      return int64_t(0);
    }
    int64_t below = 0;
    for (const std::string &callee : fn.callees)
      below = std::max(below, deepest(callee));
    onPath.erase(title);
    return depth[title] = *fn.frame + below;
  };
  int64_t total = deepest(run);
  if (!problem.empty()) {
    cost.runStackNote = problem;
    return true;
  }
  cost.runStack = total;
  cost.runStackKind = "worst case (call graph)";
  // The path, for the note.
  std::string path, at = run;
  while (true) {
    const Fn &fn = fns[at];
    path += (path.empty() ? "" : " > ") + fn.label + " " + std::to_string(*fn.frame);
    std::string next;
    for (const std::string &callee : fn.callees)
      if (fns[callee].frame && (next.empty() || depth[callee] > depth[next]))
        next = callee;
    if (next.empty())
      break;
    at = next;
  }
  cost.runStackNote = path;
  if (!notCounted.empty())
    cost.runStackNote += "; not counted: " + llvm::join(notCounted, ", ");
  return true;
}

/// `<name>_run`'s stack from the call graph files (.ci) under `dirs`, or else
/// from the .su files: then a bound without the call graph, the sum of the
/// frames of every function of <name>.cpp but the other API functions (a call
/// path without recursion meets each function once; generated code does not
/// recurse).
void stackOfRun(const std::vector<std::string> &dirs, const ModelInput &m, ModelCost &cost) {
  if (stackFromCallGraph(filesOfModel(dirs, m, ".ci"), m, cost))
    return;
  std::vector<std::string> files = filesOfModel(dirs, m, ".su");
  const std::string run = m.name + "_run";
  bool runFound = false;
  int64_t sum = 0, functions = 0;
  std::string dynamic;
  for (const std::string &f : files) {
    auto buf = llvm::MemoryBuffer::getFile(f, /*IsText=*/true);
    if (!buf)
      continue;
    llvm::SmallVector<llvm::StringRef, 64> lines;
    (*buf)->getBuffer().split(lines, '\n', -1, false);
    for (llvm::StringRef line : lines) {
      // path:line:column:signature <tab> bytes <tab> static|dynamic[,bounded]
      llvm::SmallVector<llvm::StringRef, 3> cols;
      line.split(cols, '\t');
      int64_t frame;
      if (cols.size() < 3 || cols[1].trim().getAsInteger(10, frame))
        continue;
      llvm::StringRef sig = cols[0];
      for (int k = 0; k < 3; ++k)
        sig = sig.split(':').second;
      std::string fn = suFunction(sig);
      if (fn != run && llvm::StringRef(fn).startswith(m.name + "_"))
        continue; // the other API functions, which run does not call
      if (cols[2].contains("dynamic") && !cols[2].contains("bounded"))
        dynamic = fn;
      runFound |= fn == run;
      sum += frame;
      ++functions;
    }
  }
  if (!runFound) {
    cost.runStackNote = "no " + run + " in " + m.name + ".cpp's .ci or .su file under " +
                        llvm::join(dirs, ", ") +
                        " (compile it with -fcallgraph-info=su or -fstack-usage)";
    return;
  }
  if (!dynamic.empty()) {
    cost.runStackNote = dynamic + " has a dynamic stack frame";
    return;
  }
  cost.runStack = sum;
  cost.runStackKind = "bound (-fstack-usage)";
  cost.runStackNote = "the frames of " + run + " and its " + std::to_string(functions - 1) +
                      " kernel functions summed; -fcallgraph-info=su gives the deepest path";
}

int64_t jsonInt(const json &j, std::initializer_list<const char *> path) {
  const json *p = &j;
  for (const char *k : path) {
    if (!p->is_object() || !p->contains(k))
      return 0;
    p = &(*p)[k];
  }
  return p->is_number_integer() ? p->get<int64_t>() : 0;
}

std::string withCommas(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3)
    s.insert(static_cast<size_t>(i), ",");
  return s;
}

} // namespace

llvm::Expected<FirmwareCost> measureFirmware(const SizeOptions &opts) {
  auto buf = llvm::MemoryBuffer::getFile(opts.firmware, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return makeError(opts.firmware, "cannot read: " + buf.getError().message());
  auto img = readElf(opts.firmware, (*buf)->getBuffer());
  if (!img)
    return img.takeError();
  if (!img->hasSymtab)
    return makeError(opts.firmware, "has no symbol table (stripped?); measure the ELF the "
                                    "linker wrote");

  std::vector<ModelInput> models;
  for (const std::string &path : opts.models) {
    auto m = readModel(path);
    if (!m)
      return m.takeError();
    for (const ModelInput &other : models)
      if (other.name == m->name)
        return makeUsageError("size: two --model reports for the model '" + m->name + "' (" +
                              other.reportPath + ", " + m->reportPath + ")");
    models.push_back(std::move(*m));
  }

  FirmwareCost c;
  c.firmware = opts.firmware;
  c.format = std::string(img->is64 ? "ELF64" : "ELF32") + " " + machineName(img->machine);
  std::map<std::string, const ElfSection *> byName;
  for (const ElfSection &s : img->sections) {
    if (!s.alloc() || s.size == 0)
      continue;
    byName[s.name] = &s;
    c.sections.push_back({s.name, static_cast<int64_t>(s.size), s.inFlash(), s.inRam()});
    if (s.inFlash())
      c.flashTotal += static_cast<int64_t>(s.size);
    if (s.inRam())
      c.ramTotal += static_cast<int64_t>(s.size);
  }
  if (auto it = byName.find(".stack"); it != byName.end())
    c.stackReserved = static_cast<int64_t>(it->second->size);
  else
    for (const ElfSymbol &s : img->symbols)
      if (s.name == "__stack_size" && s.section == ELF::SHN_ABS)
        c.stackReserved = static_cast<int64_t>(s.value);

  // Check each report against the ELF: the model is linked (its run
  // function is there) and its static arena has the planned size.
  std::vector<std::optional<int64_t>> arenaBytes; // the ELF's, per model
  for (ModelInput &m : models) {
    ModelCost mc;
    mc.name = m.name;
    mc.report = m.reportPath;
    mc.predictedCode = jsonInt(m.report, {"flash", "code_estimate_bytes"});
    mc.predictedWeights = jsonInt(m.report, {"flash", "weights_bytes"});
    mc.predictedArena = jsonInt(m.report, {"memory", "arena_bytes"});
    bool linked = false;
    int64_t arenaSymbols = 0;
    bool arenaFound = false;
    // The static arrays the plan needs, one per RAM region: <name>_arena, or
    // <name>_arena_<region> with several regions. Each holds at least a byte;
    // the linker drops those of empty regions with --gc-sections.
    std::map<std::string, int64_t> planned;
    const json &regions = m.report["memory"].value("regions", json::array());
    for (const json &r : regions) {
      std::string id = sanitizeIdentifier(llvm::StringRef(r.value("name", std::string())).lower());
      planned[regions.size() == 1 ? m.name + "_arena" : m.name + "_arena_" + id] =
          std::max<int64_t>(1, r.value("used_bytes", int64_t(0)));
    }
    const ElfSymbol *differs = nullptr;
    for (const ElfSymbol &s : img->symbols) {
      if (s.section == ELF::SHN_UNDEF)
        continue;
      if (s.name == m.name + "_run" && s.type == ELF::STT_FUNC)
        linked = true;
      if ((s.name == m.name + "_arena" || llvm::StringRef(s.name).startswith(m.name + "_arena_")) &&
          s.type == ELF::STT_OBJECT) {
        arenaFound = true;
        arenaSymbols += static_cast<int64_t>(s.size);
        auto p = planned.find(s.name);
        if (p != planned.end() && p->second != static_cast<int64_t>(s.size) && !differs)
          differs = &s;
      }
    }
    if (!linked)
      return makeError(opts.firmware, "no function '" + m.name + "_run': the model '" + m.name +
                                          "' of " + m.reportPath +
                                          " is not linked into this firmware");
    // An external arena leaves only a pointer, which the manifest tells;
    // without a manifest, a pointer-sized symbol for a bigger plan says so.
    unsigned ptr = img->is64 ? 8 : 4;
    if (!m.externalArena && arenaFound && arenaSymbols == ptr && mc.predictedArena > ptr)
      m.externalArena = true;
    mc.externalArena = m.externalArena;
    arenaBytes.push_back(arenaFound ? std::optional<int64_t>(arenaSymbols) : std::nullopt);
    if (!m.externalArena && differs)
      return makeError(m.reportPath, "does not match the firmware " + opts.firmware + ": " +
                                         differs->name + " is " + llvm::Twine(differs->size) +
                                         " bytes there, the report plans " +
                                         llvm::Twine(planned[differs->name]) +
                                         " (pass the report of the compile that was linked)");
    c.models.push_back(mc);
  }

  // Attribute bytes to the models.
  auto add = [&](int model, bool weightsFile, bool globalObject, const ElfSection &sec,
                 int64_t bytes) {
    ModelCost &mc = c.models[static_cast<size_t>(model)];
    if (sec.inRam()) {
      if (!mc.externalArena)
        mc.arena += bytes;
    } else if (sec.inFlash()) {
      if (weightsFile || (globalObject && !sec.exec()))
        mc.weights += bytes;
      else
        mc.code += bytes;
    }
  };
  if (!opts.map.empty()) {
    c.attribution = "linker map " + opts.map;
    auto map = readMap(opts.map);
    if (!map)
      return map.takeError();
    std::vector<bool> inMap(models.size(), false);
    for (const auto &[key, bytes] : *map) {
      Owner o = ownerOfFile(key.second, models);
      auto sec = byName.find(key.first);
      if (o.model < 0 || sec == byName.end())
        continue;
      inMap[static_cast<size_t>(o.model)] = inMap[static_cast<size_t>(o.model)] || !o.weightsFile;
      add(o.model, o.weightsFile, false, *sec->second, bytes);
    }
    // A map of another link: the model's object is missing, or its arena
    // differs from the ELF's.
    for (size_t i = 0; i < models.size(); ++i) {
      const ModelCost &mc = c.models[i];
      if (!inMap[i])
        return makeError(opts.map, "no input sections from " + models[i].name +
                                       ".cpp, although the firmware links the model '" +
                                       models[i].name + "': is this the map of " + opts.firmware +
                                       "?");
      if (!mc.externalArena && arenaBytes[i] && mc.arena != *arenaBytes[i])
        return makeError(opts.map,
                         "the model '" + models[i].name + "' has " + llvm::Twine(mc.arena) +
                             " bytes of RAM here but its arena is " + llvm::Twine(*arenaBytes[i]) +
                             " bytes in " + opts.firmware + ": is this the map of that link?");
    }
  } else {
    c.attribution = "symbols";
    std::set<std::pair<uint32_t, uint64_t>> seen; // aliases count once
    for (const ElfSymbol &s : img->symbols) {
      if (s.size == 0 || s.section == ELF::SHN_UNDEF || s.section >= ELF::SHN_LORESERVE ||
          s.section >= img->sections.size() || !seen.insert({s.section, s.value}).second)
        continue;
      Owner o;
      if (s.bind == ELF::STB_LOCAL)
        o = ownerOfFile(s.file, models);
      else
        o.model = ownerOfSymbol(s.name, models);
      if (o.model < 0)
        continue;
      add(o.model, o.weightsFile, s.bind != ELF::STB_LOCAL && s.type == ELF::STT_OBJECT,
          img->sections[s.section], static_cast<int64_t>(s.size));
    }
  }
  if (!opts.stackUsage.empty()) {
    for (const std::string &dir : opts.stackUsage)
      if (!llvm::sys::fs::is_directory(dir))
        return makeUsageError("size: --stack-usage '" + dir +
                              "' is not a directory (expected where the objects and their "
                              "-fcallgraph-info=su .ci or -fstack-usage .su files are)");
    for (size_t i = 0; i < models.size(); ++i)
      stackOfRun(opts.stackUsage, models[i], c.models[i]);
  } else {
    for (ModelCost &mc : c.models)
      mc.runStackNote = "no --stack-usage DIR with the -fcallgraph-info=su or -fstack-usage "
                        "files";
  }
  return c;
}

namespace {
struct Totals {
  int64_t code = 0, weights = 0, arena = 0, predCode = 0, predWeights = 0, predArena = 0;
  std::optional<int64_t> runStack;
  bool runStackKnown = true;
};
Totals totals(const FirmwareCost &c) {
  Totals t;
  for (const ModelCost &m : c.models) {
    t.code += m.code;
    t.weights += m.weights;
    t.arena += m.arena;
    t.predCode += m.predictedCode;
    t.predWeights += m.predictedWeights;
    if (!m.externalArena)
      t.predArena += m.predictedArena;
    if (!m.runStack)
      t.runStackKnown = false;
    else
      t.runStack = std::max(t.runStack.value_or(0), *m.runStack);
  }
  if (!t.runStackKnown || c.models.empty())
    t.runStack.reset();
  return t;
}
} // namespace

std::string formatCostTable(const FirmwareCost &c) {
  Totals t = totals(c);
  std::string s;
  llvm::raw_string_ostream os(s);
  os << c.firmware << " (" << c.format << "): bytes of the models by " << c.attribution
     << ", beside the compiler's prediction (report.json)\n";
  auto row = [&](const std::string &what, const std::string &measured, const std::string &pred) {
    std::string line = llvm::formatv("  {0,-34} {1,12}  {2}", what, measured, pred).str();
    os << llvm::StringRef(line).rtrim() << "\n";
  };
  row("", "firmware", "predicted");
  row("flash", withCommas(c.flashTotal), "");
  for (const ModelCost &m : c.models) {
    row("  " + m.name + " code", withCommas(m.code), withCommas(m.predictedCode) + " (estimate)");
    row("  " + m.name + " weights", withCommas(m.weights), withCommas(m.predictedWeights));
  }
  row("  other", withCommas(c.flashTotal - t.code - t.weights), "");
  row("RAM", withCommas(c.ramTotal), "");
  for (const ModelCost &m : c.models)
    row("  " + m.name + " arena", m.externalArena ? "external" : withCommas(m.arena),
        withCommas(m.predictedArena));
  int64_t stack = c.stackReserved.value_or(0);
  row("  stack (reserved)", c.stackReserved ? withCommas(stack) : "unknown", "");
  row("  other", withCommas(c.ramTotal - stack - t.arena), "");
  for (const ModelCost &m : c.models) {
    row("stack of " + m.name + "_run", m.runStack ? withCommas(*m.runStack) : "unknown",
        m.runStackKind);
    os << "    " << m.runStackNote << "\n";
  }
  return os.str();
}

std::string formatCostJson(const FirmwareCost &c) {
  Totals t = totals(c);
  int64_t stack = c.stackReserved.value_or(0);
  auto opt = [](const std::optional<int64_t> &v) { return v ? json(*v) : json(nullptr); };
  json models = json::array();
  for (const ModelCost &m : c.models)
    models.push_back({{"name", m.name},
                      {"report", m.report},
                      {"flash",
                       {{"code_bytes", m.code},
                        {"code_estimate_bytes", m.predictedCode},
                        {"weights_bytes", m.weights},
                        {"predicted_weights_bytes", m.predictedWeights}}},
                      {"memory",
                       {{"arena", m.externalArena ? "external" : "static"},
                        {"arena_bytes", m.arena},
                        {"predicted_arena_bytes", m.predictedArena},
                        {"run_stack_bytes", opt(m.runStack)},
                        {"run_stack_kind", m.runStackKind},
                        {"run_stack_note", m.runStackNote}}}});
  json sections = json::array();
  for (const FirmwareCost::Section &s : c.sections)
    sections.push_back({{"name", s.name}, {"bytes", s.size}, {"flash", s.flash}, {"ram", s.ram}});
  json j = {
      {"firmware", c.firmware},
      {"format", c.format},
      {"attribution", c.attribution},
      {"models", models},
      {"flash",
       {{"total_bytes", c.flashTotal},
        {"code_bytes", t.code},
        {"code_estimate_bytes", t.predCode},
        {"weights_bytes", t.weights},
        {"predicted_weights_bytes", t.predWeights},
        {"other_bytes", c.flashTotal - t.code - t.weights}}},
      {"memory",
       {{"total_bytes", c.ramTotal},
        {"arena_bytes", t.arena},
        {"predicted_arena_bytes", t.predArena},
        {"stack_reserved_bytes", opt(c.stackReserved)},
        {"run_stack_bytes", opt(t.runStack)},
        {"other_bytes", c.ramTotal - stack - t.arena}}},
      {"sections", sections},
  };
  return j.dump(2) + "\n";
}

} // namespace tinymlc
