// Recursive-descent parser of DynamoDB expressions; see parser.h for the grammar and error order.
//
// Errors found while the syntax is still being read (reserved words, undefined placeholders,
// function misuse, operand types, path overlap) are recorded per class and reported only when the
// whole text parsed: a syntax error anywhere wins over all of them, as in DynamoDB.
#include "expr/parser.h"

#include <array>
#include <charconv>
#include <limits>

#include "protocol/errors.h"
#include "expr/evaluate.h"
#include "expr/lexer.h"
#include "expr/reserved_words.h"
#include "types/base64.h"

namespace cairn::expr {
namespace {

// Classes of non-syntax errors, most important first.
enum ErrorClass : int {
  kStructureError,  // redundant parentheses, repeated update section
  kReservedError,
  kUndefinedError,
  kUnknownFunctionError,
  kFunctionUseError,
  kOperandError,
  kPathError,
  kNumErrorClasses,
};

// What a function call is parsed as: the parser decides after seeing what follows it.
struct Call {
  std::string_view name;
  std::vector<Operand> args;
};

enum class Clause : int { kSet = 0, kRemove = 1, kAdd = 2, kDelete = 3 };
constexpr std::array<std::string_view, 4> kClauseNames = {"SET", "REMOVE", "ADD", "DELETE"};

// The deepest nesting of NOT and parentheses a condition may have (Parser::ParseNot says why).
constexpr int kMaxNesting = 256;

// The type an operand is known to have before evaluation, if any.
bool StaticType(const Operand& o, AttributeType* t) {
  switch (o.kind) {
    case Operand::Kind::kValue:
      *t = o.value.type;
      return true;
    case Operand::Kind::kSize:
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus:
      *t = AttributeType::kN;
      return true;
    case Operand::Kind::kListAppend:
      *t = AttributeType::kL;
      return true;
    case Operand::Kind::kPath:
    case Operand::Kind::kIfNotExists:
      return false;
  }
  return false;
}

bool IsOrderedType(AttributeType t) {
  return t == AttributeType::kS || t == AttributeType::kN || t == AttributeType::kB;
}

// DynamoDB spells operand types in full in the ADD/DELETE messages.
std::string_view LongTypeName(AttributeType t) {
  switch (t) {
    case AttributeType::kS:
      return "STRING";
    case AttributeType::kN:
      return "NUMBER";
    case AttributeType::kB:
      return "BINARY";
    case AttributeType::kBOOL:
      return "BOOLEAN";
    case AttributeType::kNULL:
      return "NULL";
    case AttributeType::kM:
      return "MAP";
    case AttributeType::kL:
      return "LIST";
    case AttributeType::kSS:
      return "STRING_SET";
    case AttributeType::kNS:
      return "NUMBER_SET";
    case AttributeType::kBS:
      return "BINARY_SET";
  }
  return "";
}

std::string OperandTypeMessage(std::string_view fn, AttributeType t) {
  return "Incorrect operand type for operator or function; operator or function: " +
         std::string(fn) + ", operand type: " + std::string(TypeName(t));
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view kind, ExpressionContext& ctx)
      : text_(text), kind_(kind), ctx_(ctx) {
    if (text.size() > kMaxExpressionBytes) {
      Fail("Expression size has exceeded the maximum allowed size; expression size: " +
           std::to_string(text.size()));
    }
    if (text.empty()) Fail("The expression can not be empty;");
    tokens_ = Lex(text);
  }

  Condition ParseConditionRoot() {
    bool only_parens = false;
    Condition c = ParseOr(&only_parens);
    if (Peek().kind != TokenKind::kEof) SyntaxError();
    Finish();
    return c;
  }

  UpdateExpr ParseUpdateRoot() {
    UpdateExpr u;
    std::array<bool, 4> seen = {};
    do {
      int clause = ClauseAt(Peek());
      if (clause < 0) SyntaxError();
      if (seen[clause]) {
        Record(kStructureError, "The \"" + std::string(kClauseNames[clause]) +
                                    "\" section can only be used once in an update expression;");
      }
      seen[clause] = true;
      Next();
      do {
        u.actions.push_back(ParseUpdateAction(static_cast<Clause>(clause)));
      } while (Accept(TokenKind::kComma));
    } while (Peek().kind != TokenKind::kEof);
    std::vector<const Path*> paths;
    paths.reserve(u.actions.size());
    for (const UpdateAction& a : u.actions) paths.push_back(&a.path);
    std::string overlap = CheckPathsDisjoint(paths);
    if (!overlap.empty()) Record(kPathError, std::move(overlap));
    Finish();
    return u;
  }

  Projection ParseProjectionRoot() {
    Projection p;
    do {
      p.paths.push_back(ParsePath());
    } while (Accept(TokenKind::kComma));
    if (Peek().kind != TokenKind::kEof) SyntaxError();
    std::vector<const Path*> paths;
    paths.reserve(p.paths.size());
    for (const Path& path : p.paths) paths.push_back(&path);
    std::string overlap = CheckPathsDisjoint(paths);
    if (!overlap.empty()) Record(kPathError, std::move(overlap));
    Finish();
    return p;
  }

 private:
  // --- tokens ---
  const Token& Peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool Accept(TokenKind kind) {
    if (Peek().kind != kind) return false;
    Next();
    return true;
  }
  void Expect(TokenKind kind) {
    if (!Accept(kind)) SyntaxError();
  }
  std::string_view TextOf(const Token& t) const { return t.Text(text_); }
  bool IsKeyword(const Token& t, std::string_view upper) const {
    return t.kind == TokenKind::kIdentifier && EqualsKeyword(TextOf(t), upper);
  }
  int ClauseAt(const Token& t) const {
    for (size_t i = 0; i < kClauseNames.size(); ++i) {
      if (IsKeyword(t, kClauseNames[i])) return static_cast<int>(i);
    }
    return -1;
  }

  // --- errors ---
  [[noreturn]] void Fail(const std::string& reason) const {
    protocol::ThrowValidation("Invalid " + std::string(kind_) + ": " + reason);
  }

  // DynamoDB quotes the offending token and the text from the token before it to the token after.
  [[noreturn]] void SyntaxError() const {
    const Token& t = tokens_[pos_];
    size_t begin = pos_ > 0 ? tokens_[pos_ - 1].begin : t.begin;
    size_t end;
    if (t.kind == TokenKind::kEof) {
      end = pos_ > 0 ? tokens_[pos_ - 1].end : t.end;
    } else {
      end = tokens_[pos_ + 1].kind == TokenKind::kEof ? t.end : tokens_[pos_ + 1].end;
    }
    std::string token = t.kind == TokenKind::kEof ? "<EOF>" : std::string(TextOf(t));
    Fail("Syntax error; token: \"" + token + "\", near: \"" +
         std::string(text_.substr(begin, end - begin)) + "\"");
  }

  void Record(ErrorClass c, std::string message) {
    if (errors_[c].empty()) errors_[c] = std::move(message);
  }

  void Finish() const {
    for (const std::string& e : errors_) {
      if (!e.empty()) Fail(e);
    }
  }

  // --- paths and operands ---
  std::string PathName(const Token& t) {
    std::string_view raw = TextOf(t);
    if (t.kind == TokenKind::kNameRef) {
      const std::string* name = ctx_.LookupName(raw);
      if (name == nullptr) {
        Record(kUndefinedError,
               "An expression attribute name used in the document path is not defined; "
               "attribute name: " +
                   std::string(raw));
        return std::string(raw);
      }
      return *name;
    }
    if (IsReservedWord(raw)) {
      Record(kReservedError,
             "Attribute name is a reserved keyword; reserved keyword: " + std::string(raw));
    }
    return std::string(raw);
  }

  Path ParsePath() {
    Path path;
    const Token& head = Peek();
    if (head.kind != TokenKind::kIdentifier && head.kind != TokenKind::kNameRef) SyntaxError();
    path.push_back(PathElement::Name(PathName(Next())));
    while (true) {
      if (Accept(TokenKind::kDot)) {
        const Token& t = Peek();
        if (t.kind != TokenKind::kIdentifier && t.kind != TokenKind::kNameRef) SyntaxError();
        path.push_back(PathElement::Name(PathName(Next())));
      } else if (Accept(TokenKind::kLBracket)) {
        const Token& t = Peek();
        if (t.kind != TokenKind::kNumber) SyntaxError();
        std::string_view digits = TextOf(t);
        int64_t index = 0;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (ec != std::errc() || index > std::numeric_limits<int32_t>::max()) SyntaxError();
        Next();
        Expect(TokenKind::kRBracket);
        path.push_back(PathElement::Index(static_cast<int32_t>(index)));
      } else {
        break;
      }
    }
    if (path.size() > kMaxPathDepth) {
      Record(kPathError, "The document path has too many nesting levels; nesting levels: " +
                             std::to_string(path.size()));
    }
    return path;
  }

  // *defined (optional) tells whether the placeholder was defined.
  Operand ParseValueRef(bool* defined = nullptr) {
    std::string_view raw = TextOf(Next());
    const AttributeValue* v = ctx_.LookupValue(raw);
    if (defined != nullptr) *defined = v != nullptr;
    if (v == nullptr) {
      Record(kUndefinedError,
             "An expression attribute value used in expression is not defined; attribute value: " +
                 std::string(raw));
      return Operand::OfValue(AttributeValue::Null());
    }
    return Operand::OfValue(*v);
  }

  bool AtCall() const {
    return Peek().kind == TokenKind::kIdentifier && Peek(1).kind == TokenKind::kLParen;
  }

  // REQUIRES: AtCall().
  Call ParseCall(bool update) {
    Call call;
    call.name = TextOf(Next());
    Next();  // '('
    do {
      call.args.push_back(update ? ParseSetTerm() : ParseOperand(false));
    } while (Accept(TokenKind::kComma));
    Expect(TokenKind::kRParen);
    return call;
  }

  // An operand of a condition (update == false) or a term of an update SET value (update == true).
  Operand ParseOperand(bool update) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kValueRef) return ParseValueRef();
    if (AtCall()) {
      Call call = ParseCall(update);
      return update ? UpdateCall(std::move(call)) : ConditionOperandCall(std::move(call));
    }
    if (t.kind == TokenKind::kIdentifier || t.kind == TokenKind::kNameRef) {
      return Operand::OfPath(ParsePath());
    }
    SyntaxError();
  }

  // --- function checks ---
  bool KnownFunction(const Call& call, Function* f) {
    if (LookupFunction(call.name, f)) return true;
    Record(kUnknownFunctionError, "Invalid function name; function: " + std::string(call.name));
    return false;
  }

  bool CheckArity(const Call& call, size_t n) {
    if (call.args.size() == n) return true;
    Record(kOperandError,
           "Incorrect number of operands for operator or function; operator or function: " +
               std::string(call.name) +
               ", number of operands: " + std::to_string(call.args.size()));
    return false;
  }

  bool CheckPathArg(std::string_view fn, const Operand& arg) {
    if (arg.kind == Operand::Kind::kPath) return true;
    Record(kOperandError, "Operator or function requires a document path; operator or function: " +
                              std::string(fn));
    return false;
  }

  // Records an operand-type error if `arg` is known to be of a type other than `allowed...`.
  template <typename... T>
  void CheckArgType(std::string_view fn, const Operand& arg, T... allowed) {
    AttributeType t;
    if (!StaticType(arg, &t)) return;
    if (((t == allowed) || ...)) return;
    Record(kOperandError, OperandTypeMessage(fn, t));
  }

  static Operand Placeholder() { return Operand::OfValue(AttributeValue::Null()); }

  // size(...) used as an operand of a comparison.
  Operand ConditionOperandCall(Call call) {
    Function f;
    if (!KnownFunction(call, &f)) return Placeholder();
    if (f == Function::kIfNotExists || f == Function::kListAppend) {
      Record(kFunctionUseError,
             "The function is not allowed in a condition expression; function: " +
                 std::string(call.name));
      return Placeholder();
    }
    if (f != Function::kSize) {
      Record(kFunctionUseError,
             "The function is not allowed to be used this way in an expression; function: " +
                 std::string(call.name));
      return Placeholder();
    }
    if (!CheckArity(call, 1)) return Placeholder();
    CheckArgType(call.name, call.args[0], AttributeType::kS, AttributeType::kB, AttributeType::kSS,
                 AttributeType::kNS, AttributeType::kBS, AttributeType::kL, AttributeType::kM);
    Operand o;
    o.kind = Operand::Kind::kSize;
    o.args = std::move(call.args);
    return o;
  }

  // A function call standing as a whole condition.
  Condition ConditionCall(Call call) {
    Condition c;
    c.kind = Condition::Kind::kTrue;
    Function f;
    if (!KnownFunction(call, &f)) return c;
    switch (f) {
      case Function::kIfNotExists:
      case Function::kListAppend:
        Record(kFunctionUseError,
               "The function is not allowed in a condition expression; function: " +
                   std::string(call.name));
        return c;
      case Function::kSize:
        Record(kFunctionUseError,
               "The function is not allowed to be used this way in an expression; function: " +
                   std::string(call.name));
        return c;
      case Function::kAttributeExists:
      case Function::kAttributeNotExists:
        if (!CheckArity(call, 1) || !CheckPathArg(call.name, call.args[0])) return c;
        c.kind = f == Function::kAttributeExists ? Condition::Kind::kAttributeExists
                                                 : Condition::Kind::kAttributeNotExists;
        break;
      case Function::kAttributeType: {
        if (!CheckArity(call, 2) || !CheckPathArg(call.name, call.args[0])) return c;
        CheckArgType(call.name, call.args[1], AttributeType::kS);
        const Operand& type = call.args[1];
        AttributeType parsed;
        if (type.kind == Operand::Kind::kValue && type.value.type == AttributeType::kS &&
            !ParseTypeName(type.value.s, &parsed)) {
          Record(kOperandError, "Invalid attribute type name found; type: " + type.value.s +
                                    ", valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }");
        }
        c.kind = Condition::Kind::kAttributeType;
        break;
      }
      case Function::kBeginsWith:
        if (!CheckArity(call, 2)) return c;
        CheckArgType(call.name, call.args[0], AttributeType::kS, AttributeType::kB);
        CheckArgType(call.name, call.args[1], AttributeType::kS, AttributeType::kB);
        c.kind = Condition::Kind::kBeginsWith;
        break;
      case Function::kContains:
        if (!CheckArity(call, 2)) return c;
        c.kind = Condition::Kind::kContains;
        break;
    }
    c.operands = std::move(call.args);
    return c;
  }

  // if_not_exists / list_append in an update SET value.
  Operand UpdateCall(Call call) {
    Function f;
    if (!KnownFunction(call, &f)) return Placeholder();
    if (f != Function::kIfNotExists && f != Function::kListAppend) {
      Record(kFunctionUseError, "The function is not allowed in an update expression; function: " +
                                    std::string(call.name));
      return Placeholder();
    }
    if (!CheckArity(call, 2)) return Placeholder();
    Operand o;
    if (f == Function::kIfNotExists) {
      if (!CheckPathArg(call.name, call.args[0])) return Placeholder();
      o.kind = Operand::Kind::kIfNotExists;
    } else {
      CheckArgType(call.name, call.args[0], AttributeType::kL);
      CheckArgType(call.name, call.args[1], AttributeType::kL);
      o.kind = Operand::Kind::kListAppend;
    }
    o.args = std::move(call.args);
    return o;
  }

  // --- conditions ---
  // *only_parens is set when the result is exactly one parenthesized group, so that a group
  // directly inside another is reported as DynamoDB does ("The expression has redundant
  // parentheses;").
  Condition ParseOr(bool* only_parens) {
    Condition left = ParseAnd(only_parens);
    while (IsKeyword(Peek(), "OR")) {
      Next();
      bool unused = false;
      Condition right = ParseAnd(&unused);
      left = Binary(Condition::Kind::kOr, std::move(left), std::move(right));
      *only_parens = false;
    }
    return left;
  }

  Condition ParseAnd(bool* only_parens) {
    Condition left = ParseNot(only_parens);
    while (IsKeyword(Peek(), "AND")) {
      Next();
      bool unused = false;
      Condition right = ParseNot(&unused);
      left = Binary(Condition::Kind::kAnd, std::move(left), std::move(right));
      *only_parens = false;
    }
    return left;
  }

  // One level of nesting (a NOT, a parenthesized condition, a parenthesized SET term), released
  // when the returned guard goes out of scope; past kMaxNesting levels, a syntax error.
  struct Nesting {
    int* depth;
    ~Nesting() { --*depth; }
  };
  [[nodiscard]] Nesting Nest() {
    if (depth_ >= kMaxNesting) SyntaxError();
    ++depth_;
    return Nesting{&depth_};
  }

  Condition ParseNot(bool* only_parens) {
    // Every level of condition nesting (NOT, and a parenthesized group through ParsePrimary)
    // passes here: bounding it bounds the parser's recursion, which a 4 KB expression could
    // otherwise drive 4096 levels deep and, in a sanitizer build, off the stack (found by
    // fuzz/expression_fuzzer.cc: 1719 '(' crashed it). A valid expression needs at least 10 bytes
    // per level ("(a = :v AND "), so no valid one gets near kMaxNesting. Deeper input is
    // a syntax error at the token where the limit is passed (DynamoDB's own limit is NOT SURE).
    Nesting nesting = Nest();
    if (IsKeyword(Peek(), "NOT")) {
      Next();
      bool unused = false;
      Condition c;
      c.kind = Condition::Kind::kNot;
      c.children.push_back(ParseNot(&unused));
      *only_parens = false;
      return c;
    }
    return ParsePrimary(only_parens);
  }

  static Condition Binary(Condition::Kind kind, Condition a, Condition b) {
    Condition c;
    c.kind = kind;
    c.children.reserve(2);
    c.children.push_back(std::move(a));
    c.children.push_back(std::move(b));
    return c;
  }

  bool AtComparator(CompareOp* op) const {
    switch (Peek().kind) {
      case TokenKind::kEq:
        *op = CompareOp::kEq;
        return true;
      case TokenKind::kNe:
        *op = CompareOp::kNe;
        return true;
      case TokenKind::kLt:
        *op = CompareOp::kLt;
        return true;
      case TokenKind::kLe:
        *op = CompareOp::kLe;
        return true;
      case TokenKind::kGt:
        *op = CompareOp::kGt;
        return true;
      case TokenKind::kGe:
        *op = CompareOp::kGe;
        return true;
      default:
        return false;
    }
  }

  bool AtOperatorAfterOperand() const {
    CompareOp op;
    return AtComparator(&op) || IsKeyword(Peek(), "BETWEEN") || IsKeyword(Peek(), "IN");
  }

  Condition ParsePrimary(bool* only_parens) {
    if (Accept(TokenKind::kLParen)) {
      bool inner_only_parens = false;
      Condition inner = ParseOr(&inner_only_parens);
      Expect(TokenKind::kRParen);
      if (inner_only_parens) Record(kStructureError, "The expression has redundant parentheses;");
      *only_parens = true;
      return inner;
    }
    *only_parens = false;
    Operand left;
    if (AtCall()) {
      Call call = ParseCall(false);
      if (!AtOperatorAfterOperand()) return ConditionCall(std::move(call));
      left = ConditionOperandCall(std::move(call));
    } else {
      left = ParseOperand(false);
    }
    CompareOp op;
    if (AtComparator(&op)) {
      Next();
      Condition c;
      c.kind = Condition::Kind::kCompare;
      c.op = op;
      c.operands.reserve(2);
      c.operands.push_back(std::move(left));
      c.operands.push_back(ParseOperand(false));
      if (op != CompareOp::kEq && op != CompareOp::kNe) {
        std::string_view text = CompareOpText(op);
        for (const Operand& o : c.operands) {
          CheckArgType(text, o, AttributeType::kS, AttributeType::kN, AttributeType::kB);
        }
      }
      return c;
    }
    if (IsKeyword(Peek(), "BETWEEN")) {
      Next();
      Condition c;
      c.kind = Condition::Kind::kBetween;
      c.operands.reserve(3);
      c.operands.push_back(std::move(left));
      c.operands.push_back(ParseOperand(false));
      if (!IsKeyword(Peek(), "AND")) SyntaxError();
      Next();
      c.operands.push_back(ParseOperand(false));
      CheckBetween(c);
      return c;
    }
    if (IsKeyword(Peek(), "IN")) {
      Next();
      Expect(TokenKind::kLParen);
      Condition c;
      c.kind = Condition::Kind::kIn;
      c.operands.push_back(std::move(left));
      do {
        c.operands.push_back(ParseOperand(false));
      } while (Accept(TokenKind::kComma));
      Expect(TokenKind::kRParen);
      if (c.operands.size() - 1 > kMaxInOperands) {
        Record(kOperandError,
               "The IN operator is provided with too many operands; number of operands: " +
                   std::to_string(c.operands.size() - 1));
      }
      return c;
    }
    SyntaxError();
  }

  void CheckBetween(const Condition& c) {
    for (const Operand& o : c.operands) {
      CheckArgType("BETWEEN", o, AttributeType::kS, AttributeType::kN, AttributeType::kB);
    }
    const Operand& lo = c.operands[1];
    const Operand& hi = c.operands[2];
    if (lo.kind != Operand::Kind::kValue || hi.kind != Operand::Kind::kValue) return;
    if (!IsOrderedType(lo.value.type) || !IsOrderedType(hi.value.type)) return;
    std::string bounds = "lower bound operand: AttributeValue: " + DescribeValue(lo.value) +
                         ", upper bound operand: AttributeValue: " + DescribeValue(hi.value);
    if (lo.value.type != hi.value.type) {
      Record(kOperandError,
             "The BETWEEN operator requires same data type for lower and upper bounds; " + bounds);
    } else if (CompareScalars(lo.value, hi.value) > 0) {
      Record(kOperandError,
             "The BETWEEN operator requires upper bound to be greater than or equal to lower "
             "bound; " +
                 bounds);
    }
  }

  // --- updates ---
  // A SET action's value: a term, or two joined by + or -; a term is an operand, or a term in
  // parentheses. Parentheses may also enclose the whole value ("SET a = (b + :v)"), but a sum is
  // never a term of another sum ("SET a = b - (c - :v)" is a syntax error), as DynamoDB parses it
  // (dynalite's update grammar, learned from DynamoDB).
  Operand ParseSetValue() {
    Nesting nesting = Nest();
    Operand first;
    if (Accept(TokenKind::kLParen)) {
      first = ParseSetValue();
      Expect(TokenKind::kRParen);
      if (first.kind == Operand::Kind::kPlus || first.kind == Operand::Kind::kMinus) return first;
    } else {
      first = ParseOperand(true);
    }
    if (Peek().kind != TokenKind::kPlus && Peek().kind != TokenKind::kMinus) return first;
    bool plus = Next().kind == TokenKind::kPlus;
    Operand second = ParseSetTerm();
    std::string_view op = plus ? "+" : "-";
    CheckArgType(op, first, AttributeType::kN);
    CheckArgType(op, second, AttributeType::kN);
    Operand sum;
    sum.kind = plus ? Operand::Kind::kPlus : Operand::Kind::kMinus;
    sum.args.reserve(2);
    sum.args.push_back(std::move(first));
    sum.args.push_back(std::move(second));
    return sum;
  }

  // A term of a SET value or an argument of an update function: an operand, in any number of
  // parentheses.
  Operand ParseSetTerm() {
    Nesting nesting = Nest();
    if (!Accept(TokenKind::kLParen)) return ParseOperand(true);
    Operand inner = ParseSetTerm();
    Expect(TokenKind::kRParen);
    return inner;
  }

  UpdateAction ParseUpdateAction(Clause clause) {
    UpdateAction a;
    a.path = ParsePath();
    switch (clause) {
      case Clause::kSet: {
        a.kind = UpdateAction::Kind::kSet;
        Expect(TokenKind::kEq);
        a.value = ParseSetValue();
        break;
      }
      case Clause::kRemove:
        a.kind = UpdateAction::Kind::kRemove;
        break;
      case Clause::kAdd:
      case Clause::kDelete: {
        bool add = clause == Clause::kAdd;
        a.kind = add ? UpdateAction::Kind::kAdd : UpdateAction::Kind::kDelete;
        if (Peek().kind != TokenKind::kValueRef) SyntaxError();
        bool defined = false;
        a.value = ParseValueRef(&defined);
        AttributeType t = a.value.value.type;
        bool ok = t == AttributeType::kSS || t == AttributeType::kNS || t == AttributeType::kBS ||
                  (add && t == AttributeType::kN);
        // An undefined placeholder was already recorded; do not pile a type error on it.
        if (!ok && defined) {
          Record(kOperandError, "Incorrect operand type for operator or function; operator: " +
                                    std::string(add ? "ADD" : "DELETE") +
                                    ", operand type: " + std::string(LongTypeName(t)));
        }
        break;
      }
    }
    return a;
  }

  std::string_view text_;
  std::string_view kind_;
  ExpressionContext& ctx_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;  // levels of nesting entered (Nest)
  std::array<std::string, kNumErrorClasses> errors_;
};

}  // namespace

std::string DescribeValue(const AttributeValue& v) {
  std::string body;
  switch (v.type) {
    case AttributeType::kS:
    case AttributeType::kN:
      body = v.s;
      break;
    case AttributeType::kB:
      body = Base64Encode(v.s);
      break;
    case AttributeType::kBOOL:
      body = v.boolean ? "true" : "false";
      break;
    case AttributeType::kNULL:
      body = "true";
      break;
    default:
      break;
  }
  return "{" + std::string(TypeName(v.type)) + ":" + body + "}";
}

std::string CheckPathsDisjoint(const std::vector<const Path*>& paths) {
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = i + 1; j < paths.size(); ++j) {
      const Path& a = *paths[i];
      const Path& b = *paths[j];
      size_t n = std::min(a.size(), b.size());
      bool disjoint = false;
      bool conflict = false;
      for (size_t k = 0; k < n; ++k) {
        if (a[k] == b[k]) continue;
        if (a[k].is_index() != b[k].is_index()) {
          conflict = true;
        } else {
          disjoint = true;
        }
        break;
      }
      if (disjoint) continue;
      return std::string("Two document paths ") + (conflict ? "conflict" : "overlap") +
             " with each other; must remove or rewrite one of these paths; path one: " +
             PathToListString(a) + ", path two: " + PathToListString(b);
    }
  }
  return "";
}

std::shared_ptr<const Condition> ParseCondition(std::string_view text, std::string_view kind,
                                                ExpressionContext& ctx) {
  Parser p(text, kind, ctx);
  return std::make_shared<const Condition>(p.ParseConditionRoot());
}

std::shared_ptr<const UpdateExpr> ParseUpdate(std::string_view text, ExpressionContext& ctx) {
  Parser p(text, "UpdateExpression", ctx);
  return std::make_shared<const UpdateExpr>(p.ParseUpdateRoot());
}

std::shared_ptr<const Projection> ParseProjection(std::string_view text, ExpressionContext& ctx) {
  Parser p(text, "ProjectionExpression", ctx);
  return std::make_shared<const Projection>(p.ParseProjectionRoot());
}

}  // namespace cairn::expr
