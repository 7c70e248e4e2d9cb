//===- Calibration.cpp - the calibration directory of --quantize ----------===//
#include "compiler/Calibration.h"
#include "compiler/TensorIO.h"
#include "ir/Diagnostic.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <algorithm>

namespace tinymlc {

llvm::Expected<int64_t> readSamples(const Value &input, llvm::StringRef path,
                                    llvm::StringRef option, std::vector<Buffer> &out) {
  auto t = readTensorFile(path);
  if (!t)
    return renameFile(t.takeError(), path, option);
  auto count = checkFileTensor(*t, input.dtype(), path);
  if (!count)
    return renameFile(count.takeError(), path, option);
  int64_t per = input.numElements();
  if (per == 0 || *count == 0 || *count % per != 0) {
    llvm::Error e = makeError(llvm::Twine(*count) + " elements is not a whole number of " +
                              input.typeString() + " samples (" + llvm::Twine(per) +
                              " elements each) for input '" + input.name() + "'");
    return renameFile(withFile(std::move(e), path), path, option);
  }
  int64_t k = *count / per;
  size_t bytes = input.byteSize();
  for (int64_t s = 0; s < k; ++s)
    out.emplace_back(t->bytes.begin() + s * bytes, t->bytes.begin() + (s + 1) * bytes);
  return k;
}

namespace {

/// A file name without its extension, when the extension is one we read.
std::optional<std::string> tensorFileStem(llvm::StringRef file) {
  if (file.startswith("."))
    return std::nullopt;
  llvm::StringRef ext = llvm::sys::path::extension(file);
  if (!ext.equals_insensitive(".npy") && !ext.equals_insensitive(".pb") &&
      !ext.equals_insensitive(".bin"))
    return std::nullopt;
  return llvm::sys::path::stem(file).str();
}

/// The name as a file name: characters outside [A-Za-z0-9_.-] become '_'.
std::string fileSafe(llvm::StringRef name) {
  std::string s;
  for (char c : name)
    s += (llvm::isAlnum(c) || c == '_' || c == '.' || c == '-') ? c : '_';
  return s;
}

/// 0: `stem` is `name`; 1: `name`_<digits>; -1: neither.
int matchInput(llvm::StringRef stem, llvm::StringRef name) {
  for (const std::string &n : {name.str(), fileSafe(name)}) {
    if (stem == n)
      return 0;
    llvm::StringRef rest = stem;
    if (rest.consume_front(n) && rest.consume_front("_") && !rest.empty() &&
        llvm::all_of(rest, llvm::isDigit))
      return 1;
  }
  return -1;
}

std::string inputList(const Graph &g) {
  std::string names;
  for (const Value *v : g.inputs())
    names += (names.empty() ? "'" : ", '") + v->name() + "'";
  return names;
}

} // namespace

llvm::Expected<std::vector<std::vector<Buffer>>> readCalibrationDir(const Graph &g,
                                                                    llvm::StringRef dir) {
  std::string option = ("--calibration " + dir).str();
  if (!llvm::sys::fs::is_directory(dir))
    return makeUsageError(option + ": not a directory; give a directory of .npy, .pb or .bin "
                                   "files holding representative inputs");
  std::vector<std::string> files;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec)) {
    llvm::StringRef file = llvm::sys::path::filename(it->path());
    if (it->type() == llvm::sys::fs::file_type::directory_file || !tensorFileStem(file))
      continue;
    files.push_back(file.str());
  }
  if (ec)
    return makeError(option + ": cannot list the directory: " + ec.message());
  if (files.empty())
    return makeUsageError(option + ": no .npy, .pb or .bin files; put representative inputs "
                                   "there, named after the input they feed (<input>.bin or "
                                   "<input>_<k>.bin)");
  // Natural order, then plain order for names that compare equal numerically.
  std::sort(files.begin(), files.end(), [](const std::string &a, const std::string &b) {
    int c = llvm::StringRef(a).compare_numeric(b);
    return c != 0 ? c < 0 : a < b;
  });

  const std::vector<Value *> &inputs = g.inputs();
  if (inputs.empty())
    return makeUsageError(option + ": the model has no inputs to calibrate");
  std::vector<std::vector<std::string>> perInput(inputs.size());
  for (const std::string &f : files) {
    if (inputs.size() == 1) {
      perInput[0].push_back(f);
      continue;
    }
    std::string stem = *tensorFileStem(f);
    // An exact name wins over <name>_<k> ("x_1.bin" feeds input x_1, not x).
    int best = -1, bestHow = 2;
    for (size_t i = 0; i < inputs.size(); ++i) {
      int how = matchInput(stem, inputs[i]->name());
      if (how >= 0 && how < bestHow) {
        best = static_cast<int>(i);
        bestHow = how;
      }
    }
    if (best < 0)
      return makeUsageError(option + ": file '" + f + "' is named after no input (inputs: " +
                            inputList(g) + "); name it <input>.bin or <input>_<k>.bin");
    perInput[best].push_back(f);
  }

  std::vector<std::vector<Buffer>> byInput(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value *v = inputs[i];
    if (perInput[i].empty())
      return makeUsageError(option + ": no file for input '" + v->name() + "' (" +
                            v->typeString() + "); add " + fileSafe(v->name()) + ".bin or " +
                            fileSafe(v->name()) + "_<k>.bin");
    for (const std::string &f : perInput[i]) {
      llvm::SmallString<256> path(dir);
      llvm::sys::path::append(path, f);
      auto k = readSamples(*v, path, path, byInput[i]);
      if (!k)
        return k.takeError();
    }
    if (byInput[i].size() != byInput[0].size())
      return makeUsageError(option + ": input '" + v->name() + "' has " +
                            llvm::Twine(byInput[i].size()) +
                            (byInput[i].size() == 1 ? " sample" : " samples") + ", input '" +
                            inputs[0]->name() + "' has " + llvm::Twine(byInput[0].size()) +
                            "; every input needs the same number");
  }
  std::vector<std::vector<Buffer>> samples(byInput[0].size());
  for (size_t k = 0; k < samples.size(); ++k)
    for (size_t i = 0; i < inputs.size(); ++i)
      samples[k].push_back(std::move(byInput[i][k]));
  return samples;
}

} // namespace tinymlc
