// SSL_GET against TLS servers that misbehave (CONFORMANCE-AND-FAULTS.md §3.3, the TLS row):
// a failed handshake, self-signed and expired certificates (keepalived checks availability,
// not identity, so both pass), SNI sent only with enable_sni, and a server that closes
// without close_notify (failed only with tls_compliant).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <memory>
#include <mutex>
#include <string>

#include "check/http_verdict.h"
#include "http_fake.h"
#include "probe_harness.h"

namespace vigil::fake {
namespace {

constexpr Ms kTimeout{1500};

// A server context with a fresh self-signed P-256 certificate valid from `from` to `to`
// seconds around now.
std::shared_ptr<SSL_CTX> ServerContext(long from, long to) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), from);
  X509_gmtime_adj(X509_getm_notAfter(cert), to);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("vigil.test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return std::shared_ptr<SSL_CTX>(ctx, SSL_CTX_free);
}

struct Seen {
  std::mutex mu;
  std::string sni = "(none)";
  bool handshake = false;
};

// Accepts TLS, reads the request, answers `answer`; sends close_notify unless `abrupt`.
Act TlsServe(std::shared_ptr<SSL_CTX> ctx, std::string answer, bool abrupt,
             std::shared_ptr<Seen> seen) {
  return Act::Call([=](int fd) {
    timeval tv{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL* ssl = SSL_new(ctx.get());
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      {
        std::lock_guard<std::mutex> lock(seen->mu);
        seen->handshake = true;
        const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        if (sni) seen->sni = sni;
      }
      std::string got;
      char buf[1024];
      while (got.find("\r\n\r\n") == std::string::npos) {
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
      }
      SSL_write(ssl, answer.data(), static_cast<int>(answer.size()));
      if (!abrupt) SSL_shutdown(ssl);
    }
    SSL_free(ssl);
  });
}

Check SslCheck() {
  Check c(model::CheckerKind::kSsl);
  model::UrlConf u;
  u.path = "/";
  c.details().urls.push_back(u);
  return c;
}

Outcome Exchange(const Check& c, std::vector<Act> script) {
  TcpFake server(std::move(script));
  return RunCheck(c, server.address(), server.port(), kTimeout);
}

TEST(TlsProbe, SelfSignedCertificatePasses) {
  auto seen = std::make_shared<Seen>();
  Outcome o =
      Exchange(SslCheck(),
               {TlsServe(ServerContext(-60, 3600), Answer("HTTP/1.0 200 OK", "ok"), false, seen)});
  EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
  EXPECT_TRUE(seen->handshake);
  EXPECT_EQ(seen->sni, "(none)") << "no SNI without enable_sni";
}

TEST(TlsProbe, ExpiredCertificatePassesAsInKeepalived) {
  auto seen = std::make_shared<Seen>();
  Outcome o = Exchange(SslCheck(), {TlsServe(ServerContext(-7200, -3600),
                                             Answer("HTTP/1.0 200 OK", "ok"), false, seen)});
  EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
}

TEST(TlsProbe, EnableSniSendsTheVirtualhost) {
  auto seen = std::make_shared<Seen>();
  Check c = SslCheck();
  c.details().enable_sni = true;
  c.details().virtualhost = "www.vigil.test";
  Outcome o = Exchange(
      c, {TlsServe(ServerContext(-60, 3600), Answer("HTTP/1.0 200 OK", "ok"), false, seen)});
  EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
  EXPECT_EQ(seen->sni, "www.vigil.test");
}

TEST(TlsProbe, HandshakeWithANonTlsServerFails) {
  Outcome o = Exchange(SslCheck(), {Act::Read(5), Act::Send("HTTP/1.0 400 Bad\r\n\r\n")});
  EXPECT_EQ(o.result.failure, "tls-handshake") << o.result.detail;
}

TEST(TlsProbe, HandshakeGarbageFails) {
  Outcome o = Exchange(SslCheck(), {Act::Read(5), Act::Garbage(2048)});
  EXPECT_EQ(o.result.failure, "tls-handshake") << o.result.detail;
}

TEST(TlsProbe, ServerSilentAfterClientHelloTimesOut) {
  Outcome o = Exchange(SslCheck(), {Act::Hang()});
  EXPECT_EQ(o.result.failure, "tls-timeout");
}

TEST(TlsProbe, NoCloseNotifyFailsOnlyWithTlsCompliant) {
  auto seen = std::make_shared<Seen>();
  // Without Content-Length the body ends when the connection does, so with a digest (which
  // needs the whole body) the missing close_notify matters.
  std::string answer = "HTTP/1.0 200 OK\r\n\r\nbody";
  Check lax_check = SslCheck();
  lax_check.details().urls[0].digest = check::Md5Hex("body");
  Outcome lax = Exchange(lax_check, {TlsServe(ServerContext(-60, 3600), answer, true, seen)});
  EXPECT_TRUE(lax.result.ok) << lax.result.failure << " " << lax.result.detail;
  Check strict = lax_check;
  strict.details().tls_compliant = true;
  Outcome o = Exchange(strict, {TlsServe(ServerContext(-60, 3600), answer, true, seen)});
  EXPECT_EQ(o.result.failure, "tls-no-close-notify") << o.result.detail;
}

TEST(TlsProbe, DestroyedMidHandshakeReportsNothing) {
  TcpFake server({Act::Hang()});
  DestroyMidCheck(SslCheck(), server.address(), server.port(), kTimeout);
}

}  // namespace
}  // namespace vigil::fake
