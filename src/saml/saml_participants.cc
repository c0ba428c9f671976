#include "saml/saml_participants.h"

#include "core/params.h"
#include "saml/bindings.h"
#include "saml/browser_logout_step.h"
#include "saml/messages.h"
#include "saml/vocabulary.h"

namespace gh::saml {

Result<std::vector<std::optional<session::ParticipantLogout>>> SamlParticipants::Describe(
    store::Store& tx, const store::SessionRecord& session,
    std::span<const store::ParticipantRecord> participants) {
  std::vector<std::optional<session::ParticipantLogout>> described;
  std::optional<std::string> secret;  // read once, and only when an SP needs the browser
  for (const auto& p : participants) {
    GH_ASSIGN_OR_RETURN(auto sp, sps_.Find(p.client_id));
    if (!sp || !p.saml) {
      described.emplace_back();
      continue;
    }
    session::ParticipantLogout logout;
    logout.display_name = sp->record.name;
    const auto& md = *sp->metadata;
    const auto& preferred = sp->record.slo_binding;
    bool prefer_post = preferred == kBindingPost && md.SingleLogout(kBindingPost);
    bool prefer_front = preferred == kBindingRedirect || prefer_post;
    const Endpoint* redirect = prefer_post ? nullptr : md.SingleLogout(kBindingRedirect);
    if (md.SingleLogout(kBindingSoap) && !prefer_front) {
      logout.back_channel = session::Channel::kSamlSoap;
    } else if (redirect || md.SingleLogout(kBindingPost)) {
      if (!secret) {
        GH_ASSIGN_OR_RETURN(secret,
                            tx.ServerSecret(kSamlSecretName, random_.Token(32), clock_.Now()));
      }
      GH_ASSIGN_OR_RETURN(logout.frontchannel_url,
                          BrowserStepUrl(*secret, session.sid, p, redirect));
    }
    described.push_back(std::move(logout));
  }
  return described;
}

Result<std::string> SamlParticipants::BrowserStepUrl(std::string_view secret, std::string_view sid,
                                                     const store::ParticipantRecord& p,
                                                     const Endpoint* redirect) {
  auto now = clock_.Now();
  BrowserLogoutStep step{std::string(sid), p.client_id, now + kBrowserStepLifetime};
  if (!redirect) {
    // A POST cannot be made from an iframe's URL: the iframe loads Gatehouse's page that posts
    // the LogoutRequest, signed when the browser gets there.
    Params query{{"step", SealLogoutStep(secret, StepToken::kFrame, step)}};
    return settings_.slo_frame_url() + "?" + query.Encode();
  }
  auto request = BuildLogoutRequest(BrowserLogoutRequestId(secret, step, random_),
                                    settings_.entity_id(), redirect->location, now,
                                    now + settings_.message_window, *p.saml, kReasonUser);
  GH_ASSIGN_OR_RETURN(auto credential, signer_.Current());
  return EncodeRedirect(redirect->location, true, request.doc.Serialize(), std::nullopt,
                        *credential->key);
}

}  // namespace gh::saml
