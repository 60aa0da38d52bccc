// See parser.h. Errors travel as a thrown SyntaxError inside this file only; Parse() returns them
// as a Status, so nothing is thrown across the module's boundary.
#include "partiql/parser.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "partiql/lexer.h"
#include "protocol/json_writer.h"

namespace cairn::partiql {
namespace {

struct SyntaxError {
  std::string message;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Words that never start a path when written bare.
bool IsReserved(std::string_view word) {
  static constexpr std::string_view kWords[] = {
      "select", "from", "where", "and", "or", "not", "in", "between", "is", "missing",
      "null", "true", "false", "insert", "into", "value", "values", "update", "set", "remove",
      "delete", "returning", "order", "by", "asc", "desc", "exists"};
  std::string lower = Lower(word);
  return std::find(std::begin(kWords), std::end(kWords), lower) != std::end(kWords);
}

std::string Quoted(std::string_view s) {
  std::string out;
  protocol::JsonWriter::AppendQuoted(&out, s);
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : tokens_(Lex(text)) {}

  Statement ParseStatement() {
    Statement st;
    if (IsKeyword("select")) {
      ParseSelect(st);
    } else if (AcceptKeyword("insert")) {
      st.kind = StatementKind::kInsert;
      ExpectKeyword("into");
      st.table = ParseTable();
      ExpectKeyword("value");
      st.value = ParseValue();
    } else if (AcceptKeyword("update")) {
      ParseUpdate(st);
    } else if (AcceptKeyword("delete")) {
      st.kind = StatementKind::kDelete;
      ExpectKeyword("from");
      st.table = ParseTable();
      ExpectKeyword("where");
      st.where = ParseCondition();
      ParseReturning(st);
    } else if (IsKeyword("exists") || (IsKeyword("not") && IsKeyword("exists", 1))) {
      st.negated = AcceptKeyword("not");
      ExpectKeyword("exists");
      ExpectPunct("(");
      ParseSelect(st);
      ExpectPunct(")");
      st.kind = StatementKind::kExists;
    } else {
      Unexpected();
    }
    if (Peek().kind != TokenKind::kEof) Unexpected();
    st.parameter_count = parameters_;
    return st;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsKeyword(std::string_view word, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kIdentifier && Lower(t.text) == word;
  }
  bool AcceptKeyword(std::string_view word) {
    if (!IsKeyword(word)) return false;
    Next();
    return true;
  }
  void ExpectKeyword(std::string_view word) {
    if (!AcceptKeyword(word)) Expected(Upper(word));
  }
  bool IsPunct(std::string_view p, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kPunctuation && t.text == p;
  }
  bool AcceptPunct(std::string_view p) {
    if (!IsPunct(p)) return false;
    Next();
    return true;
  }
  void ExpectPunct(std::string_view p) {
    if (!AcceptPunct(p)) Expected("'" + std::string(p) + "'");
  }
  static std::string Upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }
  static std::string Position(const Token& t) {
    return "at line " + std::to_string(t.line) + ", column " + std::to_string(t.column);
  }
  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::kEof: return "end of statement";
      case TokenKind::kInvalid: return "invalid character '" + t.text + "'";
      case TokenKind::kQuotedIdentifier: return "token '\"" + t.text + "\"'";
      case TokenKind::kString: return "token ''" + t.text + "''";
      default: return "token '" + t.text + "'";
    }
  }
  [[noreturn]] void Fail(const Token& t, std::string what) {
    throw SyntaxError{std::string(kSyntaxErrorPrefix) + what + " " + Position(t)};
  }
  [[noreturn]] static void FromSource() {
    throw SyntaxError{std::string(kSyntaxErrorPrefix) + "Unexpected from source"};
  }
  [[noreturn]] void Unexpected() { Fail(Peek(), "Unexpected " + Describe(Peek())); }
  [[noreturn]] void Expected(std::string what) {
    Fail(Peek(), "Expected " + what + ", found " + Describe(Peek()));
  }

  // The table a statement names. Anything but an identifier there (a 'string', a number, an
  // expression such as my-table written without quotes) is DynamoDB's "Unexpected from source".
  std::string ParseTable() {
    const Token& t = Peek();
    bool name = t.kind == TokenKind::kQuotedIdentifier ||
                (t.kind == TokenKind::kIdentifier && !IsReserved(t.text));
    if (!name) {
      if (t.kind == TokenKind::kEof || t.kind == TokenKind::kIdentifier) Expected("a table name");
      FromSource();
    }
    std::string table = Next().text;
    const Token& after = Peek();
    if (after.kind == TokenKind::kPunctuation && after.text != "." && after.text != ")" &&
        after.text != "*") {
      FromSource();
    }
    return table;
  }

  std::string ParseIdentifier(std::string what) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kQuotedIdentifier ||
        (t.kind == TokenKind::kIdentifier && !IsReserved(t.text))) {
      return Next().text;
    }
    Expected(what);
  }

  void ParseSelect(Statement& st) {
    st.kind = StatementKind::kSelect;
    ExpectKeyword("select");
    if (!AcceptPunct("*")) {
      do {
        st.projection.push_back(ParsePath());
      } while (AcceptPunct(","));
    }
    ExpectKeyword("from");
    st.table = ParseTable();
    if (AcceptPunct(".")) st.index = ParseIdentifier("an index name");
    if (AcceptKeyword("where")) st.where = ParseCondition();
    if (AcceptKeyword("order")) {
      ExpectKeyword("by");
      st.order_by = ParsePath();
      if (AcceptKeyword("desc")) {
        st.descending = true;
      } else {
        AcceptKeyword("asc");
      }
    }
  }

  void ParseUpdate(Statement& st) {
    st.kind = StatementKind::kUpdate;
    st.table = ParseTable();
    if (!IsKeyword("set") && !IsKeyword("remove")) Expected("SET or REMOVE");
    while (true) {
      if (AcceptKeyword("set")) {
        do {
          UpdateAction a;
          a.path = ParsePath();
          ExpectPunct("=");
          a.value = ParseSetValue();
          st.actions.push_back(std::move(a));
        } while (AcceptPunct(","));
      } else if (AcceptKeyword("remove")) {
        do {
          UpdateAction a;
          a.remove = true;
          a.path = ParsePath();
          st.actions.push_back(std::move(a));
        } while (AcceptPunct(","));
      } else {
        break;
      }
    }
    ExpectKeyword("where");
    st.where = ParseCondition();
    ParseReturning(st);
  }

  void ParseReturning(Statement& st) {
    if (!AcceptKeyword("returning")) return;
    bool all = false;
    if (AcceptKeyword("all")) {
      all = true;
    } else if (!AcceptKeyword("modified")) {
      Expected("ALL or MODIFIED");
    }
    bool old = false;
    if (AcceptKeyword("old")) {
      old = true;
    } else if (!AcceptKeyword("new")) {
      Expected("OLD or NEW");
    }
    ExpectPunct("*");
    st.returning = all ? (old ? Returning::kAllOld : Returning::kAllNew)
                       : (old ? Returning::kModifiedOld : Returning::kModifiedNew);
  }

  Path ParsePath() {
    Path path;
    path.push_back(PathElement{ParseIdentifier("an attribute name"), -1});
    while (true) {
      if (IsPunct(".") && (Peek(1).kind == TokenKind::kIdentifier ||
                           Peek(1).kind == TokenKind::kQuotedIdentifier)) {
        Next();
        path.push_back(PathElement{ParseIdentifier("an attribute name"), -1});
      } else if (AcceptPunct("[")) {
        const Token& t = Peek();
        if (t.kind != TokenKind::kNumber ||
            !std::all_of(t.text.begin(), t.text.end(),
                         [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
            t.text.size() > 9) {
          Expected("a list index");
        }
        path.push_back(PathElement{"", std::stoll(Next().text)});
        ExpectPunct("]");
      } else {
        return path;
      }
    }
  }

  Expr Node(ExprKind kind, const Token& at) {
    Expr e;
    e.kind = kind;
    e.line = at.line;
    e.column = at.column;
    return e;
  }

  // --- conditions
  Expr ParseCondition() {
    Expr left = ParseAnd();
    while (IsKeyword("or")) {
      Expr e = Node(ExprKind::kOr, Next());
      e.children.push_back(std::move(left));
      e.children.push_back(ParseAnd());
      left = std::move(e);
    }
    return left;
  }
  Expr ParseAnd() {
    Expr left = ParseNot();
    while (IsKeyword("and")) {
      Expr e = Node(ExprKind::kAnd, Next());
      e.children.push_back(std::move(left));
      e.children.push_back(ParseNot());
      left = std::move(e);
    }
    return left;
  }
  Expr ParseNot() {
    if (IsKeyword("not")) {
      Nest();
      Expr e = Node(ExprKind::kNot, Next());
      e.children.push_back(ParseNot());
      --depth_;
      return e;
    }
    return ParsePredicate();
  }
  static bool IsConditionFunction(const std::string& name) {
    return name == "begins_with" || name == "contains" || name == "attribute_type";
  }
  Expr ParsePredicate() {
    const Token& start = Peek();
    if (IsPunct("(")) {
      Nest();
      Next();
      Expr e = ParseCondition();
      ExpectPunct(")");
      --depth_;
      return e;
    }
    if (start.kind == TokenKind::kIdentifier && IsPunct("(", 1) &&
        IsConditionFunction(Lower(start.text))) {
      return ParseFunction();
    }
    Expr left = ParseOperand();
    const Token& op = Peek();
    if (op.kind == TokenKind::kPunctuation &&
        (op.text == "=" || op.text == "<>" || op.text == "!=" || op.text == "<" ||
         op.text == "<=" || op.text == ">" || op.text == ">=")) {
      Expr e = Node(ExprKind::kCompare, Next());
      e.text = op.text == "!=" ? "<>" : op.text;
      e.children.push_back(std::move(left));
      e.children.push_back(ParseOperand());
      return e;
    }
    bool negated = false;
    if (IsKeyword("not") && (IsKeyword("between", 1) || IsKeyword("in", 1))) {
      Next();
      negated = true;
    }
    if (IsKeyword("between")) {
      Expr e = Node(ExprKind::kBetween, Next());
      e.children.push_back(std::move(left));
      e.children.push_back(ParseOperand());
      ExpectKeyword("and");
      e.children.push_back(ParseOperand());
      return Negate(std::move(e), negated);
    }
    if (IsKeyword("in")) {
      Expr e = Node(ExprKind::kIn, Next());
      e.children.push_back(std::move(left));
      std::string close;
      if (AcceptPunct("(")) {
        close = ")";
      } else if (AcceptPunct("[")) {
        close = "]";
      } else {
        Expected("'(' or '['");
      }
      do {
        e.children.push_back(ParseOperand());
      } while (AcceptPunct(","));
      ExpectPunct(close);
      return Negate(std::move(e), negated);
    }
    if (IsKeyword("is")) {
      const Token& is = Next();
      bool is_not = AcceptKeyword("not");
      Expr e;
      if (AcceptKeyword("missing")) {
        e = Node(ExprKind::kIsMissing, is);
      } else if (AcceptKeyword("null")) {
        e = Node(ExprKind::kIsNull, is);
      } else {
        Expected("MISSING or NULL");
      }
      e.negated = is_not;
      e.children.push_back(std::move(left));
      return e;
    }
    Expected("a comparison");
  }
  Expr Negate(Expr e, bool negated) {
    if (!negated) return e;
    Expr n;
    n.kind = ExprKind::kNot;
    n.line = e.line;
    n.column = e.column;
    n.children.push_back(std::move(e));
    return n;
  }

  Expr ParseFunction() {
    Nest();
    const Token& name = Next();
    Expr e = Node(ExprKind::kFunction, name);
    e.text = Lower(name.text);
    ExpectPunct("(");
    if (!IsPunct(")")) {
      do {
        e.children.push_back(e.text == "list_append" || e.text == "if_not_exists"
                                 ? ParseSetValue()
                                 : ParseOperand());
      } while (AcceptPunct(","));
    }
    ExpectPunct(")");
    --depth_;
    return e;
  }

  // An operand of a condition: a path, a value, or size(path).
  Expr ParseOperand() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kIdentifier && IsPunct("(", 1) && Lower(t.text) == "size") {
      return ParseFunction();
    }
    if (t.kind == TokenKind::kQuotedIdentifier ||
        (t.kind == TokenKind::kIdentifier && !IsReserved(t.text))) {
      if (IsPunct("(", 1)) Fail(t, "Unsupported function '" + t.text + "'");
      Expr e = Node(ExprKind::kPath, t);
      e.path = ParsePath();
      return e;
    }
    return ParseValue();
  }

  // The right side of SET: arithmetic over terms.
  Expr ParseSetValue() {
    Expr left = ParseSetTerm();
    while (IsPunct("+") || IsPunct("-")) {
      Expr e = Node(ExprKind::kArithmetic, Peek());
      e.text = Next().text;
      e.children.push_back(std::move(left));
      e.children.push_back(ParseSetTerm());
      left = std::move(e);
    }
    return left;
  }
  Expr ParseSetTerm() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kIdentifier && IsPunct("(", 1)) {
      std::string name = Lower(t.text);
      if (name == "list_append" || name == "set_add" || name == "set_delete" ||
          name == "if_not_exists") {
        return ParseFunction();
      }
    }
    if (IsPunct("(")) {
      Nest();
      Next();
      Expr e = ParseSetValue();
      ExpectPunct(")");
      --depth_;
      return e;
    }
    return ParseOperand();
  }

  // --- values
  Expr ParseValue() {
    Nest();
    Expr e = ParseValueInner();
    --depth_;
    return e;
  }
  Expr ParseValueInner() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kString) {
      Expr e = Node(ExprKind::kLiteral, Next());
      e.type = "S";
      e.text = "{\"S\":" + Quoted(t.text) + "}";
      return e;
    }
    if (t.kind == TokenKind::kNumber || (IsPunct("-") && Peek(1).kind == TokenKind::kNumber)) {
      Expr e = Node(ExprKind::kLiteral, t);
      std::string text;
      if (AcceptPunct("-")) text = "-";
      text += Next().text;
      e.type = "N";
      e.text = "{\"N\":" + Quoted(text) + "}";
      return e;
    }
    if (t.kind == TokenKind::kParameter) {
      Expr e = Node(ExprKind::kParameter, Next());
      e.index = parameters_++;
      return e;
    }
    if (t.kind == TokenKind::kIdentifier) {
      std::string word = Lower(t.text);
      if (word == "true" || word == "false") {
        Expr e = Node(ExprKind::kLiteral, Next());
        e.type = "BOOL";
        e.text = "{\"BOOL\":" + word + "}";
        return e;
      }
      if (word == "null") {
        Expr e = Node(ExprKind::kLiteral, Next());
        e.type = "NULL";
        e.text = "{\"NULL\":true}";
        return e;
      }
      if (word == "missing") return Node(ExprKind::kMissing, Next());
    }
    if (IsPunct("[")) {
      Expr e = Node(ExprKind::kList, Next());
      if (!IsPunct("]")) {
        do {
          e.children.push_back(ParseValue());
        } while (AcceptPunct(","));
      }
      ExpectPunct("]");
      return e;
    }
    if (IsPunct("{")) {
      Expr e = Node(ExprKind::kMap, Next());
      if (!IsPunct("}")) {
        do {
          const Token& key = Peek();
          if (key.kind != TokenKind::kString && key.kind != TokenKind::kQuotedIdentifier) {
            Expected("a string as the key of a map");
          }
          e.keys.push_back(Next().text);
          ExpectPunct(":");
          e.children.push_back(ParseValue());
        } while (AcceptPunct(","));
      }
      ExpectPunct("}");
      return e;
    }
    if (IsPunct("<<")) {
      Expr e = Node(ExprKind::kSet, Next());
      do {
        e.children.push_back(ParseValue());
      } while (AcceptPunct(","));
      ExpectPunct(">>");
      return e;
    }
    Expected("a value");
  }

  // Nesting (parentheses, NOT, lists and maps) is bounded, so that the recursion is: a statement
  // has at most 8192 characters, but the server's threads have finite stacks.
  static constexpr int kMaxDepth = 256;
  void Nest() {
    if (++depth_ > kMaxDepth) Fail(Peek(), "Nesting deeper than 256 levels");
  }

  std::vector<Token> tokens_;
  int depth_ = 0;
  size_t pos_ = 0;
  int parameters_ = 0;
};

}  // namespace

Result<Statement> Parse(std::string_view statement) {
  try {
    Parser parser(statement);
    return parser.ParseStatement();
  } catch (const SyntaxError& e) {
    return Status::InvalidArgument(e.message);
  }
}

}  // namespace cairn::partiql
