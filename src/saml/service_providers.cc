#include "saml/service_providers.h"

namespace gh::saml {

Result<std::optional<ServiceProvider>> ServiceProviders::Find(std::string_view entity_id) {
  GH_ASSIGN_OR_RETURN(auto record, store_.FindServiceProvider(entity_id));
  if (!record) return std::optional<ServiceProvider>();
  {
    std::lock_guard lock(mutex_);
    auto it = parsed_.find(entity_id);
    if (it != parsed_.end() && it->second.first == record->metadata_xml)
      return std::optional(ServiceProvider{std::move(*record), it->second.second});
  }
  GH_ASSIGN_OR_RETURN(auto metadata, ParseSpMetadata(record->metadata_xml));
  auto shared = std::make_shared<const SpMetadata>(std::move(metadata));
  std::lock_guard lock(mutex_);
  parsed_[record->entity_id] = {record->metadata_xml, shared};
  return std::optional(ServiceProvider{std::move(*record), std::move(shared)});
}

}  // namespace gh::saml
