#include "saml/saml_participants.h"

#include "saml/bindings.h"
#include "saml/messages.h"
#include "saml/vocabulary.h"

namespace gh::saml {

inline constexpr std::string_view kReasonUser = "urn:oasis:names:tc:SAML:2.0:logout:user";

Result<std::vector<std::optional<session::ParticipantLogout>>> SamlParticipants::Describe(
    store::Store&, const store::SessionRecord&,
    std::span<const store::ParticipantRecord> participants) {
  std::vector<std::optional<session::ParticipantLogout>> described;
  for (const auto& p : participants) {
    GH_ASSIGN_OR_RETURN(auto sp, sps_.Find(p.client_id));
    if (!sp || !p.saml) {
      described.emplace_back();
      continue;
    }
    session::ParticipantLogout logout;
    logout.display_name = sp->record.name;
    const auto& md = *sp->metadata;
    bool prefer_front = sp->record.slo_binding == kBindingRedirect;
    if (md.SingleLogout(kBindingSoap) && !prefer_front) {
      logout.back_channel = session::Channel::kSamlSoap;
    } else if (const Endpoint* redirect = md.SingleLogout(kBindingRedirect)) {
      auto now = clock_.Now();
      auto request =
          BuildLogoutRequest("_" + random_.Token(24), settings_.entity_id(), redirect->location,
                             now, now + settings_.message_window, *p.saml, kReasonUser);
      GH_ASSIGN_OR_RETURN(auto credential, signer_.Current());
      GH_ASSIGN_OR_RETURN(logout.frontchannel_url,
                          EncodeRedirect(redirect->location, true, request.doc.Serialize(),
                                         std::nullopt, *credential->key));
    } else if (md.SingleLogout(kBindingPost)) {
      logout.browser_redirect = true;
    }
    described.push_back(std::move(logout));
  }
  return described;
}

}  // namespace gh::saml
