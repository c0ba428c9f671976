// ServiceProviders: the registered SAML service providers with their metadata parsed — what the
// endpoints and sign-out delivery look an Issuer up in. Registrations are read from the store on
// every lookup (so `saml sp remove` takes effect at once); parsed metadata is reused while the
// registered XML is unchanged.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/result.h"
#include "saml/metadata.h"
#include "store/store.h"

namespace gh::saml {

struct ServiceProvider {
  store::SamlServiceProviderRecord record;
  std::shared_ptr<const SpMetadata> metadata;
};

class ServiceProviders {
 public:
  explicit ServiceProviders(store::SamlStore& store) : store_(store) {}
  // nullopt when `entity_id` is not registered.
  Result<std::optional<ServiceProvider>> Find(std::string_view entity_id);

 private:
  store::SamlStore& store_;
  std::mutex mutex_;
  std::map<std::string, std::pair<std::string, std::shared_ptr<const SpMetadata>>, std::less<>>
      parsed_;  // entity_id -> (metadata_xml, parsed)
};

}  // namespace gh::saml
