// Result<T>: the value of an operation that untrusted input or the environment can make fail.
// Errors are values; exceptions are kept for programmer errors and fatal start-up problems.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace gh {

// Coarse failure kinds; protocol layers map them to OAuth/HTTP errors at their edge.
enum class ErrorCode {
  kInvalidArgument,  // malformed or unacceptable input
  kNotFound,
  kAlreadyExists,
  kUnauthenticated,
  kPermissionDenied,
  kFailedPrecondition,  // e.g. a code already used, a token already revoked
  kUnavailable,         // a dependency (store, network) failed; retrying may help
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // for people and logs; never shown verbatim to an unauthenticated party

  static Error InvalidArgument(std::string m) {
    return {ErrorCode::kInvalidArgument, std::move(m)};
  }
  static Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
  static Error Unauthenticated(std::string m) {
    return {ErrorCode::kUnauthenticated, std::move(m)};
  }
  static Error PermissionDenied(std::string m) {
    return {ErrorCode::kPermissionDenied, std::move(m)};
  }
  static Error FailedPrecondition(std::string m) {
    return {ErrorCode::kFailedPrecondition, std::move(m)};
  }
  static Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
};

const char* ToString(ErrorCode code);

// Wraps an error so that `return Fail(e);` converts into any Result<T, E>.
template <class E>
struct Failure {
  E error;
};
template <class E>
Failure<std::decay_t<E>> Fail(E&& e) {
  return {std::forward<E>(e)};
}

// A value of type T, or an error of type E. Mirrors the parts of std::expected we need.
template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  template <class F>
  Result(Failure<F> f) : state_(std::in_place_index<1>, E(std::move(f.error))) {}  // NOLINT
  Result(E error) requires(!std::is_same_v<T, E>)  // NOLINT: implicit
      : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  // By value, so `for (auto& x : *Fetch())` does not iterate a destroyed temporary.
  T value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& {
    assert(!ok());
    return std::get<1>(state_);
  }
  E&& error() && {
    assert(!ok());
    return std::get<1>(std::move(state_));
  }

  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, E> state_;
};

// Result<void>: success carries nothing.
template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  template <class F>
  Result(Failure<F> f) : error_(E(std::move(f.error))), ok_(false) {}  // NOLINT: implicit
  Result(E error) : error_(std::move(error)), ok_(false) {}            // NOLINT: implicit

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const& {
    assert(!ok_);
    return error_;
  }
  E&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  E error_{};
  bool ok_ = true;
};

inline Result<void> Ok() { return {}; }

}  // namespace gh

// Propagates a failed Result from the enclosing function (which must return a Result).
#define GH_RETURN_IF_ERROR(expr)                                                       \
  do {                                                                                 \
    if (auto gh_r_ = (expr); !gh_r_.ok()) return ::gh::Fail(std::move(gh_r_).error()); \
  } while (false)

#define GH_CONCAT_INNER_(a, b) a##b
#define GH_CONCAT_(a, b) GH_CONCAT_INNER_(a, b)
// `GH_ASSIGN_OR_RETURN(auto x, Compute());` binds the value or propagates the error.
#define GH_ASSIGN_OR_RETURN(decl, expr) \
  GH_ASSIGN_OR_RETURN_IMPL_(GH_CONCAT_(gh_r_, __LINE__), decl, expr)
#define GH_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr)          \
  auto tmp = (expr);                                        \
  if (!tmp.ok()) return ::gh::Fail(std::move(tmp).error()); \
  decl = std::move(tmp).value()
