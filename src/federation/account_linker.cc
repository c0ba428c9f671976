#include "federation/account_linker.h"

#include <nlohmann/json.hpp>

#include "core/log.h"

namespace gh::federation {
namespace {

std::string StringClaim(const nlohmann::json& claims, const std::string& name) {
  if (name.empty()) return "";
  auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Result<store::UserRecord> AccountLinker::Link(const UpstreamSettings& upstream,
                                              const std::string& subject,
                                              const nlohmann::json& claims) {
  GH_ASSIGN_OR_RETURN(auto linked, store_.FindFederatedIdentity(upstream.id, subject));
  if (linked) {
    GH_ASSIGN_OR_RETURN(auto user, store_.FindUserById(linked->user_id));
    if (!user) return Error::PermissionDenied("the account this sign-in is linked to was removed");
    return *user;
  }
  GH_ASSIGN_OR_RETURN(auto matched, Match(upstream, claims));
  store::UserRecord user;
  if (matched) {
    user = *matched;
  } else if (upstream.unknown_users == UnknownUsers::kProvision) {
    GH_ASSIGN_OR_RETURN(user, Provision(upstream, subject, claims));
  } else {
    return Error::PermissionDenied("there is no account here for this " + upstream.display_name +
                                   " user");
  }
  auto put = store_.PutFederatedIdentity({upstream.id, subject, user.id, clock_.Now()});
  if (!put.ok()) {
    if (put.error().code != ErrorCode::kAlreadyExists) return put.error();
    // Two first sign-ins raced and the other linked first: its user is the one (a user this
    // one provisioned meanwhile stays unlinked, and can never sign in).
    GH_ASSIGN_OR_RETURN(auto winner, store_.FindFederatedIdentity(upstream.id, subject));
    GH_ASSIGN_OR_RETURN(auto linked_user, store_.FindUserById(winner ? winner->user_id : ""));
    if (!linked_user) return Error::Unavailable("the account link changed while signing in");
    return *linked_user;
  }
  Log(LogLevel::kInfo, "federation.account_linked",
      {{"upstream", upstream.id}, {"sub", user.id}, {"provisioned", !matched.has_value()}});
  return user;
}

Result<std::optional<store::UserRecord>> AccountLinker::Match(const UpstreamSettings& upstream,
                                                              const nlohmann::json& claims) {
  using LinkBy = UpstreamSettings::LinkBy;
  if (upstream.link_by == LinkBy::kEmail) {
    std::string email = StringClaim(claims, upstream.email_claim);
    // An unverified address proves nothing: anyone could claim the victim's address upstream and
    // take over their local account.
    auto verified = claims.find("email_verified");
    if (email.empty() || verified == claims.end() || *verified != true)
      return std::optional<store::UserRecord>();
    GH_ASSIGN_OR_RETURN(auto users, store_.FindUsersByEmail(email));
    // Two local accounts share the address: which one is meant cannot be told.
    if (users.size() != 1) return std::optional<store::UserRecord>();
    return std::optional(users.front());
  }
  if (upstream.link_by == LinkBy::kUsername) {
    std::string username = StringClaim(claims, upstream.username_claim);
    if (username.empty()) return std::optional<store::UserRecord>();
    return store_.FindUserByUsername(username);
  }
  return std::optional<store::UserRecord>();
}

Result<store::UserRecord> AccountLinker::Provision(const UpstreamSettings& upstream,
                                                   const std::string& subject,
                                                   const nlohmann::json& claims) {
  store::UserRecord user;
  user.id = random_.Token(16);
  user.name = StringClaim(claims, upstream.name_claim);
  user.email = StringClaim(claims, upstream.email_claim);
  user.created_at = clock_.Now();
  // No password: this user signs in through the upstream only.
  std::string fallback = upstream.id + "/" + subject;
  user.username = StringClaim(claims, upstream.username_claim);
  if (user.username.empty()) user.username = fallback;
  if (user.name.empty()) user.name = user.username;
  auto put = store_.PutUser(user);
  if (!put.ok() && put.error().code == ErrorCode::kAlreadyExists && user.username != fallback) {
    // The name is a local user's already, and is not proof of being them.
    user.username = fallback;
    put = store_.PutUser(user);
  }
  GH_RETURN_IF_ERROR(put);
  return user;
}

}  // namespace gh::federation
