// Status and Result<T>: the outcome of an operation in the internal layers (types, storage, codecs).
// Invariants: an ok Status has an empty message; a Result<T> holds either a value or a non-ok Status.
// These layers never throw; the API layer turns a non-ok Status into a DynamoDB error (protocol/errors.h).
// Immutable after construction, so safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cairn {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound,
    kInvalidArgument,  // bad user input; the message is DynamoDB's ValidationException text
    kCorruption,
    kIOError,
    kBusy,
    kAborted,  // the caller's own check refused the change; nothing was done (write/item_writer.h)
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status NotFound(std::string msg = {}) { return Status(Code::kNotFound, std::move(msg)); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Busy(std::string msg) { return Status(Code::kBusy, std::move(msg)); }
  static Status Aborted(std::string msg = {}) { return Status(Code::kAborted, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  bool IsAborted() const { return code_ == Code::kAborted; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Marks a deliberately ignored status, so that swallowed errors can be found with grep.
  void IgnoreError() const {}

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

inline std::string Status::ToString() const {
  switch (code_) {
    case Code::kOk: return "OK";
    case Code::kNotFound: return "NotFound: " + message_;
    case Code::kInvalidArgument: return "InvalidArgument: " + message_;
    case Code::kCorruption: return "Corruption: " + message_;
    case Code::kIOError: return "IOError: " + message_;
    case Code::kBusy: return "Busy: " + message_;
    case Code::kAborted: return "Aborted: " + message_;
  }
  return message_;
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}   // NOLINT: REQUIRES: !status.ok()

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

#define CAIRN_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::cairn::Status _st = (expr);            \
    if (!_st.ok()) return _st;               \
  } while (0)

// CAIRN_ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (a Result<T>); on error returns its Status
// from the enclosing function, otherwise moves the value into `lhs` (a declaration or an lvalue):
//   CAIRN_ASSIGN_OR_RETURN(std::optional<Item> old, ReadItem(engine, key));
#define CAIRN_CONCAT_INNER(a, b) a##b
#define CAIRN_CONCAT(a, b) CAIRN_CONCAT_INNER(a, b)
#define CAIRN_ASSIGN_OR_RETURN(lhs, expr) \
  CAIRN_ASSIGN_OR_RETURN_IMPL(CAIRN_CONCAT(_result_, __LINE__), lhs, expr)
#define CAIRN_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                                 \
  if (!result.ok()) return result.status();             \
  lhs = std::move(result).value()

}  // namespace cairn
