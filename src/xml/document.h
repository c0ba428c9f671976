// XmlDocument: an XML document parsed from untrusted bytes the safe way — no DTD, no entities, no
// network, UTF-8 only, bounded depth — and the few read helpers SAML needs that resist comment and
// text-splitting tricks. libxml2 stays behind this header: callers see opaque node handles.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct _xmlDoc;
struct _xmlNode;

namespace gh::xml {

using Node = _xmlNode;

// XML namespace URIs of the SAML and XML-DSig vocabularies.
inline constexpr std::string_view kSamlProtocolNs = "urn:oasis:names:tc:SAML:2.0:protocol";
inline constexpr std::string_view kSamlAssertionNs = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr std::string_view kSamlMetadataNs = "urn:oasis:names:tc:SAML:2.0:metadata";
inline constexpr std::string_view kDsigNs = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr std::string_view kSoapEnvelopeNs = "http://schemas.xmlsoap.org/soap/envelope/";

class XmlDocument {
 public:
  // Parses `bytes`. kInvalidArgument for anything but well-formed UTF-8 XML without a DOCTYPE.
  static Result<XmlDocument> Parse(std::string_view bytes);
  // An empty document, for building messages.
  static XmlDocument New();

  Node* root() const;
  _xmlDoc* get() const { return doc_.get(); }
  // The document as UTF-8 bytes, without an XML declaration, exactly as signed.
  std::string Serialize() const;

 private:
  struct Free {
    void operator()(_xmlDoc* doc) const;
  };
  explicit XmlDocument(_xmlDoc* doc) : doc_(doc) {}
  std::unique_ptr<_xmlDoc, Free> doc_;
};

// Element is in namespace `ns` with local name `name`.
bool Is(const Node* node, std::string_view ns, std::string_view name);
// The element children of `node`, in order.
std::vector<Node*> Elements(const Node* node);
// The element children of `node` named {ns}name.
std::vector<Node*> Elements(const Node* node, std::string_view ns, std::string_view name);
// The unqualified attribute `name` of `node`, if present.
std::optional<std::string> Attribute(const Node* node, std::string_view name);
// The text of an element that holds exactly one text node and nothing else — no comment, no
// child element, no processing instruction — so `a<!---->b` cannot read as `a` (CVE-2017-11427
// and its family). nullopt otherwise. An empty element reads as "".
std::optional<std::string> SoleText(const Node* node);

// Building: a new element {ns}prefix:name under `parent` (or as the root of `doc` when parent is
// null), declaring the namespace when the parent does not.
Node* AddElement(XmlDocument& doc, Node* parent, std::string_view ns, std::string_view prefix,
                 std::string_view name, std::optional<std::string_view> text = std::nullopt);
void SetAttribute(Node* node, std::string_view name, std::string_view value);
// Declares `ns` with `prefix` on `node`, so the elements below share one declaration.
void DeclareNamespace(Node* node, std::string_view ns, std::string_view prefix);

}  // namespace gh::xml
