#include "oidc/backchannel_sender.h"

#include <utility>

#include "oidc/logout_token.h"

namespace gh::oidc {
namespace {

using Kind = session::DeliveryOutcome::Kind;

// How much of an RP's error body is kept in the outbox and the events, for the operator.
constexpr std::size_t kBodyExcerptBytes = 200;
constexpr std::size_t kJtiBytes = 16;

// The RP's body is arbitrary bytes, but the excerpt ends up in JSON events, which must be UTF-8:
// keep printable ASCII (the §2.8 error body is ASCII JSON) and replace everything else.
std::string BodyExcerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kBodyExcerptBytes)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

bool Retryable(int status) {
  return status == 408 || status == 425 || status == 429 || status >= 500;
}

session::DeliveryOutcome Outcome(Kind kind, std::string detail) {
  return {kind, std::move(detail)};
}

}  // namespace

session::DeliveryOutcome ClassifyDelivery(const Result<http::OutboundResponse>& response) {
  if (!response.ok()) return Outcome(Kind::kRetry, response.error().message);
  const int status = response->status;
  if (status >= 200 && status < 300) return Outcome(Kind::kDelivered, "");
  std::string detail = "HTTP " + std::to_string(status);
  if (!response->body.empty()) detail += ": " + BodyExcerpt(response->body);
  return Outcome(Retryable(status) ? Kind::kRetry : Kind::kPermanent, std::move(detail));
}

BackchannelSender::BackchannelSender(store::ClientStore& clients, keys::KeyRing& keys, Clock& clock,
                                     Random& random, http::HttpClient& http,
                                     BackchannelSenderOptions options)
    : clients_(clients, clock, options.client_cache_ttl),
      keys_(keys),
      clock_(clock),
      random_(random),
      http_(http),
      options_(std::move(options)) {}

Result<http::OutboundRequest, session::DeliveryOutcome> BackchannelSender::BuildRequest(
    const store::LogoutNotificationRecord& notification) {
  auto client = clients_.Find(notification.client_id);
  if (!client.ok()) return Outcome(Kind::kRetry, "client lookup: " + client.error().message);
  if (!*client) return Outcome(Kind::kPermanent, "client was removed");
  if (!(*client)->backchannel_logout_uri)
    return Outcome(Kind::kPermanent, "client has no backchannel_logout_uri");

  // §2.4: signed like the client's ID Tokens, with its registered algorithm.
  auto alg = crypto::ParseJwsAlg((*client)->id_token_signed_response_alg);
  if (!alg.ok()) return Outcome(Kind::kPermanent, "client has an unsupported signing algorithm");
  auto key = keys_.Active(*alg);
  if (!key) return Outcome(Kind::kRetry, "no active signing key");
  auto token = SignLogoutToken(*key, {.issuer = options_.issuer,
                                      .client_id = notification.client_id,
                                      .sub = notification.user_id,
                                      .sid = notification.sid,
                                      .jti = random_.Token(kJtiBytes),
                                      .issued_at = clock_.Now()});
  if (!token.ok()) return Outcome(Kind::kRetry, "signing: " + token.error().message);

  // §2.5: a form POST whose logout_token parameter carries the token.
  http::OutboundRequest request;
  request.method = "POST";
  request.url = *(*client)->backchannel_logout_uri;
  request.headers.Add("Content-Type", "application/x-www-form-urlencoded");
  // A compact JWS is base64url segments and dots, which a form body carries unescaped.
  request.body = "logout_token=" + *token;
  request.connect_timeout = options_.connect_timeout;
  request.total_timeout = options_.total_timeout;
  return request;
}

void BackchannelSender::Send(const store::LogoutNotificationRecord& notification,
                             std::function<void(session::DeliveryOutcome)> done) {
  auto request = BuildRequest(notification);
  if (!request.ok()) {
    done(std::move(request).error());
    return;
  }
  http_.Send(std::move(request).value(),
             [done = std::move(done)](Result<http::OutboundResponse> response) {
               done(ClassifyDelivery(response));
             });
}

}  // namespace gh::oidc
