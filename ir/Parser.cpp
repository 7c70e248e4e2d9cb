//===- Parser.cpp - reads the text form of a Graph ------------------------===//
#include "ir/Diagnostic.h"
#include "ir/Format.h"
#include "ir/TextIR.h"
#include "ir/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include <cstring>

namespace tinymlc {

namespace {

struct Token {
  enum Kind { End, Ident, Number, String, Name, Punct } kind = End;
  std::string text; ///< identifier, number text, unescaped string or name
  unsigned line = 1, col = 1;
};

class Lexer {
public:
  explicit Lexer(llvm::StringRef text) : text(text) {}

  /// Lexes the next token; sets `error` on a malformed one.
  Token next() {
    skipSpace();
    Token t;
    t.line = line;
    t.col = col;
    if (pos >= text.size())
      return t;
    char c = text[pos];
    if (c == '"') {
      t.kind = Token::String;
      if (!lexString(t.text))
        error = "unterminated string";
      return t;
    }
    if (c == '%') {
      advance();
      t.kind = Token::Name;
      if (pos < text.size() && text[pos] == '"') {
        if (!lexString(t.text))
          error = "unterminated string";
      } else {
        while (pos < text.size() && isNameChar(text[pos]))
          t.text += advance();
        if (t.text.empty())
          error = "expected a name after '%'";
      }
      return t;
    }
    if (isdigit(static_cast<unsigned char>(c)) ||
        ((c == '-' || c == '+') && pos + 1 < text.size() &&
         (isdigit(static_cast<unsigned char>(text[pos + 1])) || text[pos + 1] == '.' ||
          text[pos + 1] == 'i' || text[pos + 1] == 'n'))) {
      t.kind = Token::Number;
      t.text += advance();
      while (pos < text.size()) {
        char d = text[pos];
        bool expSign = (d == '-' || d == '+') && !t.text.empty() &&
                       (t.text.back() == 'e' || t.text.back() == 'E');
        if (!(isalnum(static_cast<unsigned char>(d)) || d == '.' || expSign))
          break;
        t.text += advance();
      }
      return t;
    }
    if (isalpha(static_cast<unsigned char>(c)) || c == '_') {
      t.kind = Token::Ident;
      while (pos < text.size() && isNameChar(text[pos]))
        t.text += advance();
      return t;
    }
    t.kind = Token::Punct;
    t.text = std::string(1, advance());
    return t;
  }

  std::string error;

private:
  static bool isNameChar(char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  }
  char advance() {
    char c = text[pos++];
    if (c == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    return c;
  }
  void skipSpace() {
    while (pos < text.size()) {
      char c = text[pos];
      if (c == '/' && pos + 1 < text.size() && text[pos + 1] == '/') {
        while (pos < text.size() && text[pos] != '\n')
          advance();
      } else if (isspace(static_cast<unsigned char>(c))) {
        advance();
      } else {
        break;
      }
    }
  }
  bool lexString(std::string &out) {
    advance(); // opening quote
    while (pos < text.size()) {
      char c = advance();
      if (c == '"')
        return true;
      if (c == '\\' && pos < text.size()) {
        char e = advance();
        if (e == 'x' && pos + 1 < text.size()) {
          char h = advance(), l = advance();
          out += static_cast<char>(llvm::hexDigitValue(h) * 16 + llvm::hexDigitValue(l));
        } else {
          out += e;
        }
      } else {
        out += c;
      }
    }
    return false;
  }

  llvm::StringRef text;
  size_t pos = 0;
  unsigned line = 1, col = 1;
};

class Parser {
public:
  Parser(llvm::StringRef text, llvm::StringRef bufferName, const ParseOptions &opts)
      : lexer(text), bufferName(bufferName), opts(opts) {
    tok = lexer.next();
  }

  llvm::Expected<std::unique_ptr<Graph>> parse();

private:
  llvm::Error err(const llvm::Twine &msg) const {
    return makeError((bufferName + ":" + llvm::Twine(tok.line) + ":" + llvm::Twine(tok.col)).str(),
                     msg);
  }
  llvm::Error lexCheck() {
    if (!lexer.error.empty())
      return err(lexer.error);
    return llvm::Error::success();
  }
  void consume() { tok = lexer.next(); }
  bool isPunct(char c) const { return tok.kind == Token::Punct && tok.text[0] == c; }
  bool isIdent(llvm::StringRef s) const { return tok.kind == Token::Ident && tok.text == s; }
  llvm::Error expectPunct(char c) {
    if (auto e = lexCheck())
      return e;
    if (!isPunct(c))
      return err(llvm::Twine("expected '") + llvm::Twine(c) + "'" + found());
    consume();
    return llvm::Error::success();
  }
  std::string found() const {
    if (tok.kind == Token::End)
      return ", found the end of the text";
    return ", found '" + tok.text + "'";
  }

  llvm::Expected<std::pair<DType, Shape>> parseType();
  llvm::Expected<std::vector<uint8_t>> parseElements(DType t, int64_t count);
  llvm::Expected<Attribute> parseAttribute();
  llvm::Error parseNode();
  llvm::Expected<Value *> lookup(const std::string &name);

  Lexer lexer;
  Token tok;
  llvm::StringRef bufferName;
  ParseOptions opts;
  std::unique_ptr<Graph> graph;
};

llvm::Expected<std::pair<DType, Shape>> Parser::parseType() {
  if (tok.kind != Token::Ident)
    return err("expected an element type" + found());
  std::optional<DType> t = parseDType(tok.text);
  if (!t)
    return err("unknown element type '" + tok.text + "'");
  consume();
  if (auto e = expectPunct('['))
    return e;
  Shape shape;
  while (!isPunct(']')) {
    if (tok.kind != Token::Number)
      return err("expected a dimension" + found());
    int64_t d;
    if (llvm::StringRef(tok.text).getAsInteger(10, d) || d < 0)
      return err("bad dimension '" + tok.text + "'");
    shape.push_back(d);
    consume();
    if (isPunct(','))
      consume();
    else if (!isPunct(']'))
      return err("expected ',' or ']'" + found());
  }
  consume();
  return std::make_pair(*t, shape);
}

llvm::Expected<std::vector<uint8_t>> Parser::parseElements(DType t, int64_t count) {
  std::vector<uint8_t> bytes;
  bytes.reserve(count * dtypeSize(t));
  if (auto e = expectPunct('['))
    return e;
  while (!isPunct(']')) {
    std::string text = tok.text;
    if (tok.kind != Token::Number && !(tok.kind == Token::Ident && (text == "inf" || text == "nan")))
      return err("expected a number" + found());
    auto push = [&](auto v) {
      const uint8_t *p = reinterpret_cast<const uint8_t *>(&v);
      bytes.insert(bytes.end(), p, p + sizeof(v));
    };
    bool ok = true;
    if (t == DType::F32) {
      float f;
      ok = parseFloat(text, f);
      push(f);
    } else if (t == DType::F64) {
      double d;
      ok = parseDouble(text, d);
      push(d);
    } else if (isUnsignedInt(t)) {
      uint64_t u = 0;
      ok = !llvm::StringRef(text).getAsInteger(10, u);
      switch (t) {
      case DType::U8:
        push(static_cast<uint8_t>(u));
        break;
      case DType::U16:
        push(static_cast<uint16_t>(u));
        break;
      case DType::U32:
        push(static_cast<uint32_t>(u));
        break;
      default:
        push(u);
      }
    } else {
      int64_t i = 0;
      ok = !llvm::StringRef(text).getAsInteger(10, i);
      switch (t) {
      case DType::I8:
        push(static_cast<int8_t>(i));
        break;
      case DType::I16:
        push(static_cast<int16_t>(i));
        break;
      case DType::I32:
        push(static_cast<int32_t>(i));
        break;
      case DType::Bool:
        push(static_cast<uint8_t>(i != 0));
        break;
      default:
        push(i);
      }
    }
    if (!ok)
      return err("bad " + dtypeName(t) + " value '" + text + "'");
    consume();
    if (isPunct(','))
      consume();
    else if (!isPunct(']'))
      return err("expected ',' or ']'" + found());
  }
  consume();
  if (static_cast<int64_t>(bytes.size()) != count * static_cast<int64_t>(dtypeSize(t)))
    return err("expected " + llvm::Twine(count) + " elements, found " +
               llvm::Twine(bytes.size() / dtypeSize(t)));
  return bytes;
}

static bool looksFloat(const Token &t) {
  return t.kind == Token::Number
             ? t.text.find_first_of(".eEin") != std::string::npos
             : (t.text == "inf" || t.text == "nan");
}

llvm::Expected<Attribute> Parser::parseAttribute() {
  if (tok.kind == Token::String) {
    std::string s = tok.text;
    consume();
    return Attribute(s);
  }
  if (tok.kind == Token::Number || isIdent("inf") || isIdent("nan")) {
    std::string text = tok.text;
    bool isF = looksFloat(tok);
    consume();
    if (isF) {
      float f;
      if (!parseFloat(text, f))
        return err("bad float '" + text + "'");
      return Attribute(f);
    }
    int64_t i;
    if (llvm::StringRef(text).getAsInteger(10, i))
      return err("bad integer '" + text + "'");
    return Attribute(i);
  }
  if (isIdent("tensor")) {
    consume();
    if (auto e = expectPunct('<'))
      return e;
    auto type = parseType();
    if (!type)
      return type.takeError();
    if (auto e = expectPunct('>'))
      return e;
    auto bytes = parseElements(type->first, numElements(type->second));
    if (!bytes)
      return bytes.takeError();
    TensorData t;
    t.dtype = type->first;
    t.shape = type->second;
    t.bytes = std::move(*bytes);
    return Attribute(std::move(t));
  }
  if (isPunct('[')) {
    consume();
    std::vector<Token> items;
    while (!isPunct(']')) {
      if (auto e = lexCheck())
        return e;
      if (tok.kind != Token::Number && tok.kind != Token::String && !isIdent("inf") &&
          !isIdent("nan"))
        return err("expected a list element" + found());
      items.push_back(tok);
      consume();
      if (isPunct(','))
        consume();
      else if (!isPunct(']'))
        return err("expected ',' or ']'" + found());
    }
    consume();
    if (items.empty())
      return Attribute(std::vector<int64_t>{});
    if (items[0].kind == Token::String) {
      std::vector<std::string> v;
      for (const Token &t : items) {
        if (t.kind != Token::String)
          return err("mixed list of strings and numbers");
        v.push_back(t.text);
      }
      return Attribute(std::move(v));
    }
    bool anyFloat = false;
    for (const Token &t : items) {
      if (t.kind == Token::String)
        return err("mixed list of strings and numbers");
      anyFloat |= looksFloat(t);
    }
    if (anyFloat) {
      std::vector<float> v;
      for (const Token &t : items) {
        float f;
        if (!parseFloat(t.text, f))
          return err("bad float '" + t.text + "'");
        v.push_back(f);
      }
      return Attribute(std::move(v));
    }
    std::vector<int64_t> v;
    for (const Token &t : items) {
      int64_t i;
      if (llvm::StringRef(t.text).getAsInteger(10, i))
        return err("bad integer '" + t.text + "'");
      v.push_back(i);
    }
    return Attribute(std::move(v));
  }
  return err("expected an attribute value" + found());
}

llvm::Expected<Value *> Parser::lookup(const std::string &name) {
  if (Value *v = graph->findValue(name))
    return v;
  return err("unknown value '%" + name + "'");
}

llvm::Error Parser::parseNode() {
  std::vector<std::string> outNames;
  while (true) {
    if (tok.kind != Token::Name)
      return err("expected a value name" + found());
    if (graph->findValue(tok.text))
      return err("value '%" + tok.text + "' is defined twice");
    outNames.push_back(tok.text);
    consume();
    if (!isPunct(','))
      break;
    consume();
  }
  if (auto e = expectPunct('='))
    return e;
  if (tok.kind != Token::Ident)
    return err("expected an op name" + found());
  std::optional<OpKind> kind = lookupOp(tok.text);
  if (!kind)
    return err("unknown op '" + tok.text + "'");
  consume();
  if (tok.kind != Token::String)
    return err("expected the node's name as a string" + found());
  std::string nodeName = tok.text;
  consume();
  if (auto e = expectPunct('('))
    return e;
  std::vector<Value *> inputs;
  while (!isPunct(')')) {
    if (isIdent("_")) {
      inputs.push_back(nullptr);
    } else if (tok.kind == Token::Name) {
      auto v = lookup(tok.text);
      if (!v)
        return v.takeError();
      inputs.push_back(*v);
    } else {
      return err("expected an operand" + found());
    }
    consume();
    if (isPunct(','))
      consume();
    else if (!isPunct(')'))
      return err("expected ',' or ')'" + found());
  }
  consume();
  std::vector<std::pair<std::string, Attribute>> attrs;
  if (isPunct('{')) {
    consume();
    while (!isPunct('}')) {
      if (tok.kind != Token::Ident)
        return err("expected an attribute name" + found());
      std::string name = tok.text;
      consume();
      if (auto e = expectPunct('='))
        return e;
      auto a = parseAttribute();
      if (!a)
        return a.takeError();
      attrs.emplace_back(name, std::move(*a));
      if (isPunct(','))
        consume();
      else if (!isPunct('}'))
        return err("expected ',' or '}'" + found());
    }
    consume();
  }
  if (auto e = expectPunct(':'))
    return e;
  std::vector<Value *> outputs;
  for (size_t i = 0; i < outNames.size(); ++i) {
    if (i)
      if (auto e = expectPunct(','))
        return e;
    auto type = parseType();
    if (!type)
      return type.takeError();
    outputs.push_back(graph->addValue(outNames[i], type->first, type->second));
  }
  Node *n = graph->addNode(*kind, nodeName, inputs, outputs);
  if (n->name() != nodeName)
    return err("node name \"" + nodeName + "\" is used twice");
  for (auto &[name, a] : attrs)
    n->setAttr(name, std::move(a));
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<Graph>> Parser::parse() {
  graph = std::make_unique<Graph>();
  if (!isIdent("graph"))
    return err("expected 'graph'" + found());
  consume();
  if (auto e = expectPunct('@'))
    return e;
  if (tok.kind != Token::Ident && tok.kind != Token::String && tok.kind != Token::Number)
    return err("expected the graph's name" + found());
  graph->name = tok.text;
  consume();
  if (auto e = expectPunct('{'))
    return e;
  while (!isPunct('}')) {
    if (auto e = lexCheck())
      return e;
    if (tok.kind == Token::End)
      return err("expected '}'" + found());
    if (isIdent("input") || isIdent("const")) {
      bool isConst = tok.text == "const";
      consume();
      if (tok.kind != Token::Name)
        return err("expected a value name" + found());
      std::string name = tok.text;
      if (graph->findValue(name))
        return err("value '%" + name + "' is defined twice");
      consume();
      if (auto e = expectPunct(':'))
        return e;
      auto type = parseType();
      if (!type)
        return type.takeError();
      if (!isConst) {
        graph->inputs().push_back(graph->addValue(name, type->first, type->second));
        continue;
      }
      if (auto e = expectPunct('='))
        return e;
      std::vector<uint8_t> bytes;
      int64_t count = numElements(type->second);
      if (isIdent("elided")) {
        if (!opts.allowElided)
          return err("constant '%" + name + "' is elided; print with all constants to parse");
        consume();
        if (auto e = expectPunct('<'))
          return e;
        while (!isPunct('>') && tok.kind != Token::End)
          consume();
        if (auto e = expectPunct('>'))
          return e;
        bytes.assign(count * dtypeSize(type->first), 0);
      } else {
        auto b = parseElements(type->first, count);
        if (!b)
          return b.takeError();
        bytes = std::move(*b);
      }
      graph->addConstant(name, type->first, type->second, std::move(bytes));
      continue;
    }
    if (isIdent("output")) {
      consume();
      if (tok.kind != Token::Name)
        return err("expected a value name" + found());
      auto v = lookup(tok.text);
      if (!v)
        return v.takeError();
      graph->outputs().push_back(*v);
      consume();
      continue;
    }
    if (auto e = parseNode())
      return e;
  }
  consume();
  if (tok.kind != Token::End)
    return err("unexpected text after the graph" + found());
  if (auto e = verify(*graph))
    return e;
  return std::move(graph);
}

} // namespace

llvm::Expected<std::unique_ptr<Graph>> parseGraph(llvm::StringRef text, llvm::StringRef bufferName,
                                                  const ParseOptions &opts) {
  Parser p(text, bufferName, opts);
  return p.parse();
}

} // namespace tinymlc
