// AccountLinker: which local user a person signing in through an upstream is. A linked account
// (upstream + subject) is remembered the first time, so later sign-ins find the same user even
// when the upstream's email or username for them changes.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "federation/upstream_settings.h"
#include "store/store.h"

namespace gh::federation {

class AccountLinker {
 public:
  AccountLinker(store::Store& store, Clock& clock, Random& random)
      : store_(store), clock_(clock), random_(random) {}

  // The local user `subject` of `upstream` is, linking or provisioning one as the upstream's
  // settings allow. kPermissionDenied, with a message for the person, when they may not sign in.
  Result<store::UserRecord> Link(const UpstreamSettings& upstream, const std::string& subject,
                                 const nlohmann::json& claims);

 private:
  Result<std::optional<store::UserRecord>> Match(const UpstreamSettings& upstream,
                                                 const nlohmann::json& claims);
  Result<store::UserRecord> Provision(const UpstreamSettings& upstream, const std::string& subject,
                                      const nlohmann::json& claims);

  store::Store& store_;
  Clock& clock_;
  Random& random_;
};

}  // namespace gh::federation
