#include "saml/bindings.h"

#include <zlib.h>

#include <boost/url/decode_view.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "core/base64url.h"
#include "core/utf8.h"
#include "saml/vocabulary.h"

namespace gh::saml {
namespace {

constexpr std::string_view kDeflateEncoding =
    "urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE";

std::string UrlEncode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

Result<std::string> UrlDecode(std::string_view raw) {
  // '+' is a space in form encoding, which query strings of this binding use.
  std::string plus_as_space(raw);
  for (char& c : plus_as_space)
    if (c == '+') c = ' ';
  auto view = boost::urls::make_pct_string_view(plus_as_space);
  if (!view) return Error::InvalidArgument("malformed percent-encoding");
  std::string out;
  out.reserve(view->decoded_size());
  for (char c : **view) out.push_back(c);
  return out;
}

// Base64 as senders write it: line breaks and spaces (some SPs wrap at 64 or 76) are dropped.
std::optional<std::string> LenientBase64Decode(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text)
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') compact.push_back(c);
  return Base64Decode(compact);
}

Result<std::optional<std::string>> CheckRelayState(std::optional<std::string> relay_state) {
  if (!relay_state) return relay_state;
  if (relay_state->size() > kMaxRelayStateBytes)
    return Error::InvalidArgument("RelayState is too long");
  if (!IsValidUtf8(*relay_state)) return Error::InvalidArgument("RelayState is not UTF-8 text");
  for (unsigned char c : *relay_state)
    if (c < 0x20 || c == 0x7F) return Error::InvalidArgument("RelayState holds control characters");
  return relay_state;
}

}  // namespace

bool RedirectSignature::VerifiedBy(std::span<const crypto::Certificate> certificates) const {
  for (const auto& certificate : certificates)
    if (certificate.Verify(sig_alg, signed_octets, signature)) return true;
  return false;
}

Result<InboundMessage> DecodeRedirect(std::string_view raw_query) {
  if (raw_query.size() > 2 * kMaxMessageBytes)
    return Error::InvalidArgument("the query is too long");
  // The raw (still encoded) value of each parameter, in order, so the signed octets can be
  // rebuilt exactly as the sender wrote them.
  std::optional<std::string_view>
      raw[5];  // SAMLRequest, SAMLResponse, RelayState, SigAlg, Signature
  constexpr std::string_view kNames[5] = {"SAMLRequest", "SAMLResponse", "RelayState", "SigAlg",
                                          "Signature"};
  std::optional<std::string_view> encoding;
  std::size_t start = 0;
  while (start <= raw_query.size()) {
    auto end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    std::string_view pair = raw_query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    std::optional<std::string_view>* slot = nullptr;
    for (int i = 0; i < 5; ++i)
      if (name == kNames[i]) slot = &raw[i];
    if (name == "SAMLEncoding") slot = &encoding;
    if (!slot) continue;  // other parameters are not part of the binding
    if (*slot) return Error::InvalidArgument("the parameter " + std::string(name) + " is repeated");
    *slot = value;
  }
  if (raw[0].has_value() == raw[1].has_value())
    return Error::InvalidArgument("exactly one of SAMLRequest and SAMLResponse is expected");
  if (encoding) {
    GH_ASSIGN_OR_RETURN(auto decoded, UrlDecode(*encoding));
    if (decoded != kDeflateEncoding) return Error::InvalidArgument("unsupported SAMLEncoding");
  }
  InboundMessage m;
  m.binding = std::string(kBindingRedirect);
  m.is_request = raw[0].has_value();
  std::string_view message_name = m.is_request ? kNames[0] : kNames[1];
  std::string_view raw_message = m.is_request ? *raw[0] : *raw[1];
  GH_ASSIGN_OR_RETURN(auto base64, UrlDecode(raw_message));
  auto deflated = LenientBase64Decode(base64);
  if (!deflated) return Error::InvalidArgument("the message is not base64");
  GH_ASSIGN_OR_RETURN(m.xml, Inflate(*deflated, kMaxMessageBytes));
  if (raw[2]) {
    GH_ASSIGN_OR_RETURN(auto relay_state, UrlDecode(*raw[2]));
    GH_ASSIGN_OR_RETURN(m.relay_state, CheckRelayState(std::move(relay_state)));
  }
  if (raw[4].has_value() != raw[3].has_value())
    return Error::InvalidArgument("Signature and SigAlg come together");
  if (raw[4]) {
    RedirectSignature sig;
    GH_ASSIGN_OR_RETURN(sig.sig_alg, UrlDecode(*raw[3]));
    GH_ASSIGN_OR_RETURN(auto sig_base64, UrlDecode(*raw[4]));
    auto bytes = LenientBase64Decode(sig_base64);
    if (!bytes) return Error::InvalidArgument("the Signature is not base64");
    sig.signature = std::move(*bytes);
    // Bindings §3.4.4.1: SAMLRequest|SAMLResponse, RelayState (if present), SigAlg — as received.
    sig.signed_octets = std::string(message_name) + "=" + std::string(raw_message);
    if (raw[2]) sig.signed_octets += "&RelayState=" + std::string(*raw[2]);
    sig.signed_octets += "&SigAlg=" + std::string(*raw[3]);
    m.redirect_signature = std::move(sig);
  }
  return m;
}

Result<InboundMessage> DecodePost(const Params& form) {
  if (form.RepeatedName()) return Error::InvalidArgument("a form field is repeated");
  auto request = form.Get("SAMLRequest");
  auto response = form.Get("SAMLResponse");
  if (request.has_value() == response.has_value())
    return Error::InvalidArgument("exactly one of SAMLRequest and SAMLResponse is expected");
  const std::string& encoded = request ? *request : *response;
  if (encoded.size() > 2 * kMaxMessageBytes)
    return Error::InvalidArgument("the message is too large");
  InboundMessage m;
  m.binding = std::string(kBindingPost);
  m.is_request = request.has_value();
  auto xml = LenientBase64Decode(encoded);
  if (!xml) return Error::InvalidArgument("the message is not base64");
  if (xml->size() > kMaxMessageBytes) return Error::InvalidArgument("the message is too large");
  m.xml = std::move(*xml);
  // Params::Get treats an empty value as absent; RelayState is echoed as received, so look again.
  for (const auto& [name, value] : form.items())
    if (name == "RelayState") m.relay_state = value;
  GH_ASSIGN_OR_RETURN(m.relay_state, CheckRelayState(std::move(m.relay_state)));
  return m;
}

Result<InboundMessage> DecodeSoap(std::string_view body) {
  if (body.size() > kMaxMessageBytes) return Error::InvalidArgument("the message is too large");
  InboundMessage m;
  m.binding = std::string(kBindingSoap);
  m.xml = std::string(body);
  return m;
}

Result<std::string> EncodeRedirect(std::string_view endpoint, bool is_request, std::string_view xml,
                                   const std::optional<std::string>& relay_state,
                                   const crypto::SigningKey& key) {
  std::string query = std::string(is_request ? "SAMLRequest=" : "SAMLResponse=") +
                      UrlEncode(Base64Encode(Deflate(xml)));
  if (relay_state) query += "&RelayState=" + UrlEncode(*relay_state);
  query += "&SigAlg=" + UrlEncode(kSigAlgRsaSha256);
  GH_ASSIGN_OR_RETURN(auto signature, key.Sign(query));
  query += "&Signature=" + UrlEncode(Base64Encode(signature));
  std::string url(endpoint);
  url += url.find('?') == std::string::npos ? '?' : '&';
  return url + query;
}

Params EncodePost(bool is_request, std::string_view xml,
                  const std::optional<std::string>& relay_state) {
  Params fields;
  fields.Add(is_request ? "SAMLRequest" : "SAMLResponse", Base64Encode(xml));
  if (relay_state) fields.Add("RelayState", *relay_state);
  return fields;
}

std::string Deflate(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Result<std::string> Inflate(std::string_view data, std::size_t limit) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return Error::Internal("zlib: inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[16384];
  int rc = Z_OK;
  // The output is bounded as it grows, so a small bomb never expands past `limit` in memory.
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
    if (out.size() > limit) {
      inflateEnd(&z);
      return Error::InvalidArgument("the message inflates beyond the size limit");
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return Error::InvalidArgument("the message is not valid DEFLATE data");
  return out;
}

}  // namespace gh::saml
