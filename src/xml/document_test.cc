#include "xml/document.h"

#include <gtest/gtest.h>

namespace gh::xml {
namespace {

TEST(XmlDocumentTest, ParsesPlainXml) {
  auto doc = XmlDocument::Parse(R"(<a xmlns="urn:x"><b>text</b></a>)");
  ASSERT_TRUE(doc.ok());
  ASSERT_TRUE(Is(doc->root(), "urn:x", "a"));
  EXPECT_EQ(SoleText(Elements(doc->root(), "urn:x", "b").at(0)), "text");
}

TEST(XmlDocumentTest, RefusesDoctypesEntitiesAndExternalReferences) {
  const char* xxe =
      R"(<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>)";
  const char* laughs =
      R"(<!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;&l;&l;&l;&l;&l;&l;">]><a>&l2;</a>)";
  EXPECT_FALSE(XmlDocument::Parse(xxe).ok());
  EXPECT_FALSE(XmlDocument::Parse(laughs).ok());
  EXPECT_FALSE(XmlDocument::Parse("<a>&undeclared;</a>").ok());
}

TEST(XmlDocumentTest, RefusesMalformedAndNonUtf8Input) {
  EXPECT_FALSE(XmlDocument::Parse("<a><b></a>").ok());
  EXPECT_FALSE(XmlDocument::Parse("").ok());
  EXPECT_FALSE(XmlDocument::Parse(std::string("<a>\0</a>", 8)).ok());
  EXPECT_FALSE(XmlDocument::Parse("\xFF\xFE<\0a\0/\0>\0").ok());
}

TEST(XmlDocumentTest, SoleTextRefusesCommentsAndMarkupInsideText) {
  auto doc = XmlDocument::Parse(
      "<r><n>user@example.com<!---->.evil</n><m>a<b/>c</m><e/><p>ok</p><c><![CDATA[x]]></c></r>");
  ASSERT_TRUE(doc.ok());
  auto kids = Elements(doc->root());
  EXPECT_EQ(SoleText(kids[0]), std::nullopt);
  EXPECT_EQ(SoleText(kids[1]), std::nullopt);
  EXPECT_EQ(SoleText(kids[2]), "");
  EXPECT_EQ(SoleText(kids[3]), "ok");
  EXPECT_EQ(SoleText(kids[4]), std::nullopt);
}

TEST(XmlDocumentTest, BuildsAndSerializesWithEscaping) {
  auto doc = XmlDocument::New();
  auto* root = AddElement(doc, nullptr, "urn:x", "x", "root");
  SetAttribute(root, "a", "1 & \"2\"");
  AddElement(doc, root, "urn:x", "x", "child", "<text>");
  EXPECT_EQ(
      doc.Serialize(),
      R"(<x:root xmlns:x="urn:x" a="1 &amp; &quot;2&quot;"><x:child>&lt;text&gt;</x:child></x:root>)");
}

}  // namespace
}  // namespace gh::xml
