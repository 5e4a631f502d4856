#pragma once
// A small expected-style result. GCC 12 in C++20 has no std::expected; this keeps the
// provider codecs and parsers exception-free at their boundaries.

#include <cassert>
#include <utility>
#include <variant>

#include "core/error.h"

namespace gi::core {

template <class T, class E = error>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  result(E err) : v_(std::in_place_index<1>, std::move(err)) {}      // NOLINT
  // Default-constructed = a default error (error_kind::internal). Needed because Asio
  // default-constructs coroutine results: co_spawn with a completion handler and the
  // awaitable operators (`||`, `&&`) cannot compile without it.
  result() : v_(std::in_place_index<1>) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  E& error() & { assert(!has_value()); return std::get<1>(v_); }
  const E& error() const& { assert(!has_value()); return std::get<1>(v_); }
  E&& error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, E> v_;
};

// result<void>: success carries nothing.
struct ok_t {};
inline constexpr ok_t ok{};
template <class E = error>
using status = result<ok_t, E>;

}  // namespace gi::core
