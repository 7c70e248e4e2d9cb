//===- Attribute.cpp - typed node attributes ------------------------------===//
#include "ir/Attribute.h"

namespace tinymlc {

bool Attribute::isEmptyList() const {
  switch (kind()) {
  case Kind::Ints:
    return std::get<std::vector<int64_t>>(value).empty();
  case Kind::Floats:
    return std::get<std::vector<float>>(value).empty();
  case Kind::Strings:
    return std::get<std::vector<std::string>>(value).empty();
  default:
    return false;
  }
}

llvm::ArrayRef<int64_t> Attribute::getInts() const {
  if (isEmptyList())
    return {};
  return std::get<std::vector<int64_t>>(value);
}

llvm::ArrayRef<float> Attribute::getFloats() const {
  if (isEmptyList())
    return {};
  return std::get<std::vector<float>>(value);
}

llvm::ArrayRef<std::string> Attribute::getStrings() const {
  if (isEmptyList())
    return {};
  return std::get<std::vector<std::string>>(value);
}

llvm::StringRef attributeKindName(Attribute::Kind k) {
  switch (k) {
  case Attribute::Kind::Int:
    return "int";
  case Attribute::Kind::Float:
    return "float";
  case Attribute::Kind::String:
    return "string";
  case Attribute::Kind::Ints:
    return "ints";
  case Attribute::Kind::Floats:
    return "floats";
  case Attribute::Kind::Strings:
    return "strings";
  case Attribute::Kind::Tensor:
    return "tensor";
  }
  return "?";
}

} // namespace tinymlc
