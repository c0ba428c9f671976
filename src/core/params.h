// Params: decoded query or application/x-www-form-urlencoded parameters, in arrival order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace gh {

class Params {
 public:
  using Item = std::pair<std::string, std::string>;

  Params() = default;
  Params(std::initializer_list<Item> items) : items_(items) {}

  // Decodes `a=1&b=x%20y` ('+' is a space). Fails on malformed percent-encoding.
  static Result<Params> Parse(std::string_view encoded);

  // The first value of `name`. RFC 6749 §3.1: a parameter sent without a value is treated as
  // omitted, so an empty value yields nullopt.
  std::optional<std::string> Get(std::string_view name) const;
  std::size_t Count(std::string_view name) const;
  // The name of some parameter that occurs more than once, if any (OAuth forbids repeats).
  std::optional<std::string> RepeatedName() const;

  void Add(std::string name, std::string value);
  bool empty() const { return items_.empty(); }
  const std::vector<Item>& items() const { return items_; }

  // Encodes as `a=1&b=x%20y`.
  std::string Encode() const;

 private:
  std::vector<Item> items_;
};

// The RFC 6454 origin of an absolute http(s) URI: lower-case scheme and host, the port only when
// it is not the scheme's default ("https://rp.example:8443"). nullopt for anything else.
std::optional<std::string> UriOrigin(std::string_view uri);

// Adds `params` to the query of `uri`, keeping any query it already has (RFC 6749 §3.1.2).
std::string AppendQuery(std::string_view uri, const Params& params);

}  // namespace gh
