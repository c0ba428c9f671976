#include "crypto/jws.h"

#include <optional>
#include <utility>

#include "core/base64url.h"
#include "crypto/base64url_strict.h"

namespace gh::crypto {
namespace {

// nlohmann throws on strings that are not UTF-8; for us that is bad input, not a crash.
Result<std::string> Serialize(const nlohmann::json& value) {
  try {
    return value.dump();
  } catch (const nlohmann::json::type_error& e) {
    return Error::InvalidArgument(std::string("cannot serialize JSON: ") + e.what());
  }
}

// One base64url segment that must hold a JSON object.
Result<nlohmann::json> DecodeObjectSegment(std::string_view segment, std::string_view what) {
  std::optional<std::string> text = DecodeBase64UrlStrict(segment);
  if (!text) return Error::InvalidArgument(std::string(what) + " is not base64url");
  nlohmann::json value = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object())
    return Error::InvalidArgument(std::string(what) + " is not a JSON object");
  return value;
}

// The header's alg, restricted to what we accept. DecodeJws has checked this for well-formed
// input; VerifyJws checks again because DecodedJws is a plain struct anyone can fill.
Result<JwsAlg> HeaderAlg(const nlohmann::json& header) {
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string())
    return Error::InvalidArgument("JWS header \"alg\" must be a string");
  // ParseJwsAlg knows only RS256 and ES256, which keeps out "none" and HMAC confusion.
  return ParseJwsAlg(alg->get<std::string>());
}

Result<const nlohmann::json*> HeaderKid(const nlohmann::json& header) {
  auto kid = header.find("kid");
  if (kid == header.end()) return nullptr;
  if (!kid->is_string()) return Error::InvalidArgument("JWS header \"kid\" must be a string");
  return &*kid;
}

}  // namespace

Result<std::string> SignJwt(const SigningKey& key, const nlohmann::json& claims,
                            std::string_view typ) {
  if (!claims.is_object()) return Error::InvalidArgument("JWT claims must be a JSON object");
  nlohmann::json header = {{"alg", ToString(key.alg())}, {"kid", key.kid()}};
  if (!typ.empty()) header["typ"] = std::string(typ);
  GH_ASSIGN_OR_RETURN(std::string header_json, Serialize(header));
  GH_ASSIGN_OR_RETURN(std::string claims_json, Serialize(claims));
  std::string compact = Base64UrlEncode(header_json) + '.' + Base64UrlEncode(claims_json);
  GH_ASSIGN_OR_RETURN(std::string signature, key.Sign(compact));
  compact += '.';
  compact += Base64UrlEncode(signature);
  return compact;
}

Result<DecodedJws> DecodeJws(std::string_view compact) {
  std::size_t first = compact.find('.');
  std::size_t second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos)
    return Error::InvalidArgument("JWS must have exactly three parts");

  DecodedJws jws;
  GH_ASSIGN_OR_RETURN(jws.header, DecodeObjectSegment(compact.substr(0, first), "JWS header"));
  GH_ASSIGN_OR_RETURN(
      jws.payload,
      DecodeObjectSegment(compact.substr(first + 1, second - first - 1), "JWS payload"));
  std::optional<std::string> signature = DecodeBase64UrlStrict(compact.substr(second + 1));
  if (!signature) return Error::InvalidArgument("JWS signature is not base64url");
  jws.signature = *std::move(signature);

  GH_RETURN_IF_ERROR(HeaderAlg(jws.header));
  GH_RETURN_IF_ERROR(HeaderKid(jws.header));
  // We understand no extensions, and RFC 7515 §4.1.11 says a token that requires one is invalid.
  if (jws.header.contains("crit"))
    return Error::InvalidArgument("JWS header \"crit\" extensions are not supported");
  jws.signing_input = std::string(compact.substr(0, second));
  return jws;
}

Result<void> VerifyJws(const DecodedJws& jws, const std::vector<VerificationKey>& keys) {
  GH_ASSIGN_OR_RETURN(JwsAlg alg, HeaderAlg(jws.header));
  GH_ASSIGN_OR_RETURN(const nlohmann::json* kid, HeaderKid(jws.header));

  // The key must agree with the header on alg as well as kid, or a token could make us run one
  // key's algorithm over a signature crafted for another.
  const VerificationKey* chosen = nullptr;
  for (const VerificationKey& key : keys) {
    if (key.alg() != alg || (kid != nullptr && key.kid() != kid->get_ref<const std::string&>()))
      continue;
    if (chosen != nullptr) return Error::Unauthenticated("several keys fit the JWS header");
    chosen = &key;
  }
  if (chosen == nullptr) return Error::Unauthenticated("no key fits the JWS header");
  if (!chosen->Verify(jws.signing_input, jws.signature))
    return Error::Unauthenticated("JWS signature does not verify");
  return Ok();
}

}  // namespace gh::crypto
