#include "oidc/token_lookup.h"

#include "oidc/access_token_jwt.h"
#include "oidc/sealed_access_token.h"
#include "oidc/token_state.h"

namespace gh::oidc {
namespace {

// Whether what can end an unrecorded end-user token has: its grant's revocation, and its
// session's end (a token refreshed from an offline grant after its session ended names none).
Result<bool, OAuthError> HasEnded(const ProviderContext& context,
                                  const store::TokenRecord& record) {
  GH_ASSIGN_OR_RETURN(bool grant_revoked, context.store.IsGrantRevoked(record.grant_id));
  if (grant_revoked || !record.sid) return grant_revoked;
  GH_ASSIGN_OR_RETURN(auto session, context.store.FindSessionBySid(*record.sid));
  return !session || !session->active();
}

}  // namespace

Result<std::optional<FoundToken>, OAuthError> FindToken(const ProviderContext& context,
                                                        std::string_view token) {
  GH_ASSIGN_OR_RETURN(auto stored, context.store.FindToken(SecretHash(token)));
  if (stored) return std::optional(FoundToken{.record = std::move(*stored)});
  auto now = context.clock.Now();
  auto unrecorded = OpenAccessToken(context.settings.sealing_key, token, now);
  if (!unrecorded) {
    unrecorded = ReadUnrecordedAccessToken(token, context.settings.issuer,
                                           context.keys.VerificationKeys(), now);
  }
  if (!unrecorded) return std::optional<FoundToken>();
  if (unrecorded->user_id) {
    GH_ASSIGN_OR_RETURN(unrecorded->revoked, HasEnded(context, *unrecorded));
  }
  return std::optional(FoundToken{.record = std::move(*unrecorded), .stored = false});
}

}  // namespace gh::oidc
