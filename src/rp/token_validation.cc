#include "rp/token_validation.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <vector>

#include "crypto/digest.h"
#include "crypto/jws.h"
#include "oidc/id_token.h"
#include "oidc/json_members.h"
#include "oidc/logout_token.h"

namespace gh::rp {
namespace {

using oidc::StringMember;

struct VerifiedJwt {
  nlohmann::json header;
  nlohmann::json claims;
  TimePoint issued_at;
  TimePoint expires_at;
};

Error Invalid(std::string message) { return Error::InvalidArgument(std::move(message)); }

// The latest NumericDate accepted: 2100-01-01. Far enough for any real token, and far below
// where seconds would overflow the clock's nanosecond count.
constexpr std::int64_t kLatestNumericDate = 4'102'444'800;

// A NumericDate (RFC 7519 §2) as whole seconds since the epoch. RFC 7519 allows fractions, but
// no OP we know sends them and a double past 2^63 cannot even be converted: only integers in
// [0, kLatestNumericDate] are accepted.
Result<TimePoint> TimeClaim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number_integer())
    return Invalid(std::string("the token has no integer ") + name);
  // Unsigned values past INT64_MAX would wrap if read as signed; none is in range anyway.
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > kLatestNumericDate)
    return Invalid(std::string("the token's ") + name + " is out of range");
  const auto seconds = it->get<std::int64_t>();
  if (seconds < 0 || seconds > kLatestNumericDate)
    return Invalid(std::string("the token's ") + name + " is out of range");
  return FromUnixSeconds(seconds);
}

// Core §3.1.3.7 steps 3-5; Back-Channel §2.6 step 4 applies the same to logout tokens.
Result<void> CheckAudience(const nlohmann::json& claims, const std::string& client_id) {
  std::vector<std::string> audiences;
  auto aud = claims.find("aud");
  if (aud != claims.end() && aud->is_string()) audiences.push_back(aud->get<std::string>());
  if (aud != claims.end() && aud->is_array())
    for (const auto& a : *aud)
      if (a.is_string()) audiences.push_back(a.get<std::string>());
  if (std::find(audiences.begin(), audiences.end(), client_id) == audiences.end())
    return Invalid("the token is not addressed to this client (aud)");
  // With several audiences the token must say which party it was issued to, and that must be
  // us; otherwise a token issued to another client listing us too could be replayed here.
  auto azp = StringMember(claims, "azp");
  if (audiences.size() > 1 && !azp) return Invalid("the token has several audiences but no azp");
  if (azp && *azp != client_id) return Invalid("the token was issued to another party (azp)");
  return Ok();
}

// The rules ID and logout tokens share: signature with the registered alg, iss, aud/azp, and
// exp/iat within the tolerated skew.
Result<VerifiedJwt> VerifyJwt(std::string_view compact, const TokenPolicy& policy,
                              ProviderMetadata& provider, TimePoint now) {
  // DecodeJws refuses "alg":"none" and every algorithm but RS256/ES256 outright.
  GH_ASSIGN_OR_RETURN(crypto::DecodedJws jws, crypto::DecodeJws(compact));
  // Core §3.1.3.7 step 7: the alg must be the one registered, or an attacker could pick the
  // weakest algorithm any of the OP's keys allows.
  if (jws.header.value("alg", "") != crypto::ToString(policy.alg))
    return Error::Unauthenticated(std::string("the token is not signed with ") +
                                  crypto::ToString(policy.alg));
  GH_RETURN_IF_ERROR(provider.VerifySignature(jws));

  VerifiedJwt out{std::move(jws.header), std::move(jws.payload), {}, {}};
  // Core §3.1.3.7 step 2: the issuer must match exactly.
  if (StringMember(out.claims, "iss") != policy.issuer)
    return Invalid("the token was not issued by " + policy.issuer + " (iss)");
  GH_RETURN_IF_ERROR(CheckAudience(out.claims, policy.client_id));
  // Core §3.1.3.7 steps 9-10; exp is REQUIRED in logout tokens since errata set 1.
  GH_ASSIGN_OR_RETURN(out.expires_at, TimeClaim(out.claims, "exp"));
  GH_ASSIGN_OR_RETURN(out.issued_at, TimeClaim(out.claims, "iat"));
  if (now > out.expires_at + policy.clock_skew) return Invalid("the token has expired (exp)");
  if (out.issued_at > now + policy.clock_skew) return Invalid("the token is issued in the future");
  if (out.issued_at + policy.max_token_age + policy.clock_skew < now)
    return Invalid("the token was issued too long ago (iat)");
  return out;
}

bool IsLogoutTokenType(std::string_view typ) {
  // RFC 7515 §4.1.9: the "application/" prefix may be omitted, and media types are
  // case-insensitive.
  std::string lower(typ);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == oidc::kLogoutTokenType || lower == "application/logout+jwt";
}

}  // namespace

Result<ValidatedIdToken> TokenValidator::ValidateIdToken(
    std::string_view compact, const IdTokenExpectations& expected) const {
  GH_ASSIGN_OR_RETURN(VerifiedJwt jwt, VerifyJwt(compact, policy_, provider_, clock_.Now()));
  // Core §3.1.3.7 step 11: the nonce binds the token to this sign-in; compared in constant time
  // as it is a secret of the pending sign-in. Logout tokens never carry one (Back-Channel §2.4),
  // so this also keeps them from passing as ID tokens.
  auto nonce = StringMember(jwt.claims, "nonce");
  if (!nonce || !crypto::ConstantTimeEqual(*nonce, expected.nonce))
    return Invalid("the ID token's nonce is not the one this sign-in sent");
  // Core §3.1.3.8 / §3.3.2.11: at_hash, when present, must match the access token issued with it.
  if (auto at_hash = StringMember(jwt.claims, "at_hash")) {
    if (!expected.access_token || *at_hash != oidc::AtHash(*expected.access_token))
      return Invalid("the ID token's at_hash does not match the access token");
  }
  auto sub = StringMember(jwt.claims, "sub");
  if (!sub || sub->empty()) return Invalid("the ID token has no sub");
  ValidatedIdToken out;
  out.sub = *sub;
  out.sid = StringMember(jwt.claims, "sid");
  out.claims_json = jwt.claims.dump();
  return out;
}

Result<ValidatedLogoutToken> TokenValidator::ValidateLogoutToken(std::string_view compact) const {
  const TimePoint now = clock_.Now();
  GH_ASSIGN_OR_RETURN(VerifiedJwt jwt, VerifyJwt(compact, policy_, provider_, now));
  if (policy_.require_logout_token_typ &&
      !IsLogoutTokenType(StringMember(jwt.header, "typ").value_or("")))
    return Invalid("the logout token's typ is not logout+jwt");
  // §2.6 step 6: events must hold the back-channel logout member, whose value is a JSON object.
  auto events = jwt.claims.find("events");
  if (events == jwt.claims.end() || !events->is_object())
    return Invalid("the logout token has no events object");
  auto event = events->find(oidc::kBackchannelLogoutEvent);
  if (event == events->end() || !event->is_object())
    return Invalid("the logout token's events lack the back-channel logout event object");
  // §2.6 step 7: a nonce is prohibited, so that an ID token cannot pass as a logout token.
  if (jwt.claims.contains("nonce")) return Invalid("the logout token carries a nonce");
  ValidatedLogoutToken out;
  out.sub = StringMember(jwt.claims, "sub");
  out.sid = StringMember(jwt.claims, "sid");
  // §2.6 step 5: sub, sid or both, or the RP cannot know which sessions to end.
  if (!out.sub && !out.sid) return Invalid("the logout token has neither sub nor sid");
  // §2.4: jti is REQUIRED; it keys the replay check (§2.6 step 8).
  auto jti = StringMember(jwt.claims, "jti");
  if (!jti || jti->empty()) return Invalid("the logout token has no jti");
  out.jti = *jti;
  out.acceptable_until =
      std::min(jwt.expires_at, jwt.issued_at + policy_.max_token_age) + policy_.clock_skew;
  return out;
}

}  // namespace gh::rp
