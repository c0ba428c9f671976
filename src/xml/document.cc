#include "xml/document.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include <cstring>

namespace gh::xml {
namespace {

const xmlChar* X(std::string_view s) { return reinterpret_cast<const xmlChar*>(s.data()); }
std::string_view S(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

// Silences libxml2's default error printing: a bad message is the sender's problem, reported as
// an error value, never written to our stderr.
void IgnoreErrors(void*, const char*, ...) {}

}  // namespace

void XmlDocument::Free::operator()(_xmlDoc* doc) const { xmlFreeDoc(doc); }

Result<XmlDocument> XmlDocument::Parse(std::string_view bytes) {
  // DTDs are the root of XXE, billion laughs and ID-attribute games; SAML has no use for one.
  // Refusing the bytes before parsing means libxml2 never sees an entity declaration at all.
  // UTF-8 only, so no other encoding can spell the declaration differently.
  if (bytes.find("<!DOCTYPE") != std::string_view::npos ||
      bytes.find("<!ENTITY") != std::string_view::npos)
    return Error::InvalidArgument("XML with a document type declaration is not accepted");
  if (bytes.find('\0') != std::string_view::npos ||
      (bytes.size() >= 2 && (static_cast<unsigned char>(bytes[0]) >= 0xFE)))
    return Error::InvalidArgument("XML must be UTF-8");
  xmlSetGenericErrorFunc(nullptr, IgnoreErrors);
  // No NOENT (no entity substitution), no DTDLOAD/DTDATTR, NONET: nothing is ever fetched.
  // libxml2 bounds nesting depth (256) unless XML_PARSE_HUGE, which is not given.
  int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  xmlDocPtr doc =
      xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), nullptr, "UTF-8", options);
  if (!doc) return Error::InvalidArgument("malformed XML");
  XmlDocument parsed(doc);
  if (doc->intSubset || doc->extSubset || !xmlDocGetRootElement(doc))
    return Error::InvalidArgument("XML with a document type declaration is not accepted");
  return parsed;
}

XmlDocument XmlDocument::New() { return XmlDocument(xmlNewDoc(X("1.0"))); }

Node* XmlDocument::root() const { return xmlDocGetRootElement(doc_.get()); }

std::string XmlDocument::Serialize() const {
  xmlBufferPtr buffer = xmlBufferCreate();
  xmlSaveCtxtPtr save = xmlSaveToBuffer(buffer, "UTF-8", XML_SAVE_NO_DECL | XML_SAVE_AS_XML);
  xmlSaveTree(save, root());
  xmlSaveClose(save);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buffer)),
                  static_cast<std::size_t>(xmlBufferLength(buffer)));
  xmlBufferFree(buffer);
  return out;
}

bool Is(const Node* node, std::string_view ns, std::string_view name) {
  return node && node->type == XML_ELEMENT_NODE && node->ns && S(node->ns->href) == ns &&
         S(node->name) == name;
}

std::vector<Node*> Elements(const Node* node) {
  std::vector<Node*> out;
  for (Node* child = node ? node->children : nullptr; child; child = child->next)
    if (child->type == XML_ELEMENT_NODE) out.push_back(child);
  return out;
}

std::vector<Node*> Elements(const Node* node, std::string_view ns, std::string_view name) {
  std::vector<Node*> out;
  for (Node* child : Elements(node))
    if (Is(child, ns, name)) out.push_back(child);
  return out;
}

std::optional<std::string> Attribute(const Node* node, std::string_view name) {
  for (xmlAttrPtr attr = node ? node->properties : nullptr; attr; attr = attr->next) {
    if (attr->ns || S(attr->name) != name) continue;
    xmlChar* value = xmlNodeListGetString(node->doc, attr->children, 1);
    std::string out(S(value));
    xmlFree(value);
    return out;
  }
  return std::nullopt;
}

std::optional<std::string> SoleText(const Node* node) {
  if (!node) return std::nullopt;
  const Node* child = node->children;
  if (!child) return std::string();
  if (child->next || child->type != XML_TEXT_NODE) return std::nullopt;
  return std::string(S(child->content));
}

Node* AddElement(XmlDocument& doc, Node* parent, std::string_view ns, std::string_view prefix,
                 std::string_view name, std::optional<std::string_view> text) {
  std::string n(name), p(prefix), u(ns);
  Node* node = xmlNewDocNode(doc.get(), nullptr, X(n), nullptr);
  xmlNsPtr found = parent ? xmlSearchNsByHref(doc.get(), parent, X(u)) : nullptr;
  if (!found) found = xmlNewNs(node, X(u), X(p));
  xmlSetNs(node, found);
  if (parent)
    xmlAddChild(parent, node);
  else
    xmlDocSetRootElement(doc.get(), node);
  if (text) {
    std::string t(*text);
    xmlAddChild(node, xmlNewDocText(doc.get(), X(t)));
  }
  return node;
}

void DeclareNamespace(Node* node, std::string_view ns, std::string_view prefix) {
  std::string u(ns), p(prefix);
  xmlNewNs(node, X(u), X(p));
}

void SetAttribute(Node* node, std::string_view name, std::string_view value) {
  std::string n(name), v(value);
  xmlSetProp(node, X(n), X(v));
}

}  // namespace gh::xml
