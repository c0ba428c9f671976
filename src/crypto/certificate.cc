#include "crypto/certificate.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/base64url.h"
#include "crypto/digest.h"

namespace gh::crypto {
namespace {

X509* Cert(const std::shared_ptr<void>& p) { return static_cast<X509*>(p.get()); }
std::shared_ptr<void> Own(X509* x509) {
  return std::shared_ptr<void>(x509, [](void* p) { X509_free(static_cast<X509*>(p)); });
}

const EVP_MD* DigestFor(std::string_view sig_alg_uri, bool& ecdsa) {
  ecdsa = false;
  if (sig_alg_uri == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256") return EVP_sha256();
  if (sig_alg_uri == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384") return EVP_sha384();
  if (sig_alg_uri == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512") return EVP_sha512();
  if (sig_alg_uri == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256") {
    ecdsa = true;
    return EVP_sha256();
  }
  return nullptr;
}

}  // namespace

Certificate Certificate::FromX509(std::shared_ptr<void> x509) {
  return Certificate(std::move(x509));
}

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  X509* x509 = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!x509) return Error::InvalidArgument("not a PEM certificate");
  return Certificate(Own(x509));
}

Result<Certificate> Certificate::FromBase64Der(std::string_view text) {
  std::string compact;
  for (char c : text)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') compact += c;
  auto der = Base64Decode(compact);
  if (!der) return Error::InvalidArgument("the certificate is not base64");
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  X509* x509 = d2i_X509(nullptr, &p, static_cast<long>(der->size()));
  if (!x509) return Error::InvalidArgument("not a DER certificate");
  return Certificate(Own(x509));
}

std::string Certificate::Pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(bio.get(), Cert(x509_));
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string Certificate::Base64Der() const {
  unsigned char* der = nullptr;
  int size = i2d_X509(Cert(x509_), &der);
  std::string out = Base64Encode(std::string_view(reinterpret_cast<char*>(der), size));
  OPENSSL_free(der);
  return out;
}

bool Certificate::Verify(std::string_view sig_alg_uri, std::string_view data,
                         std::string_view signature) const {
  bool ecdsa = false;
  const EVP_MD* md = DigestFor(sig_alg_uri, ecdsa);
  EVP_PKEY* key = X509_get0_pubkey(Cert(x509_));
  if (!md || !key || EVP_PKEY_is_a(key, "EC") != ecdsa) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) == 1;
  ERR_clear_error();
  return ok;
}

Result<Certificate> SelfSignedCertificate(const SigningKey& key, std::string_view common_name,
                                          TimePoint not_before) {
  auto* pkey = static_cast<EVP_PKEY*>(const_cast<void*>(key.native()));
  std::shared_ptr<void> owned = Own(X509_new());
  X509* x509 = Cert(owned);
  // A positive 64-bit serial from the kid, so each key has its own and the same one each time.
  std::string hash = Sha256(key.kid());
  BIGNUM* serial = BN_bin2bn(reinterpret_cast<const unsigned char*>(hash.data()), 8, nullptr);
  BN_set_negative(serial, 0);
  BN_clear_bit(serial, 63);
  X509_NAME* name = X509_get_subject_name(x509);
  std::string cn(common_name.substr(0, 64));
  std::time_t start = ToUnixSeconds(not_before);
  std::time_t end = start + std::time_t{20} * 365 * 86400;
  bool ok = X509_set_version(x509, 2) == 1 &&
            BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x509)) != nullptr &&
            X509_time_adj_ex(X509_getm_notBefore(x509), 0, 0, &start) != nullptr &&
            X509_time_adj_ex(X509_getm_notAfter(x509), 0, 0, &end) != nullptr &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                       0) == 1 &&
            X509_set_issuer_name(x509, name) == 1 && X509_set_pubkey(x509, pkey) == 1 &&
            X509_sign(x509, pkey, EVP_sha256()) > 0;
  BN_free(serial);
  if (!ok) return Error::Internal("cannot make the signing certificate");
  return Certificate::FromX509(std::move(owned));
}

}  // namespace gh::crypto
