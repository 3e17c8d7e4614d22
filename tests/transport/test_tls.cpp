// SPDX-License-Identifier: MIT
// HTTPS with a test CA made at test time (test_ca.hpp): curl_transport, beast_transport and
// httplib_transport must trust the CA when given it (as a file or as PEM text), and refuse a
// self-signed certificate, a certificate for another host, and any certificate when the CA is
// not given, with transport_failed and a message that names the certificate verification.
#include <profile/auth/concepts.hpp>
#include <profile/auth/transports/curl.hpp>
#include <profile/auth/transports/httplib.hpp>
#if defined(PROFILE_AUTH_TEST_BEAST)
#include <profile/auth/transports/beast.hpp>
#endif

#include <doctest/doctest.h>

#include "loopback.hpp"
#include "test_ca.hpp"

#include <openssl/ssl.h>  // SSL_get_servername: the SNI the server saw

#include <chrono>  // timeouts
#include <memory>  // the servers of one test
#include <string>  // URLs and messages

namespace pa = profile::auth;
namespace pt = profile::auth::transports;
using namespace std::chrono_literals;
using loopback::get;

namespace {

/// What a test asks of a transport's TLS options.
struct tls_config {
  std::string ca_file;
  std::string ca_pem;
  bool verify = true;
};

struct curl_kind {
  static constexpr const char* name = "curl_transport";
  /// Words of this transport's (libcurl's) message for a certificate naming another host.
  static constexpr const char* host_mismatch = "subject name matches target host";
  static pt::curl_transport make(const tls_config& c) {
    pt::curl_options o;
    o.proxy = "";
    o.connect_timeout = 5s;
    o.timeout = 10s;
    o.ca_file = c.ca_file;
    o.ca_pem = c.ca_pem;
    o.verify_peer = o.verify_host = c.verify;
    return pt::curl_transport(o);
  }
  static bool names_verification(const std::string& m) {
    return m.find("TLS handshake or certificate verification failed") != std::string::npos;
  }
};

#if defined(PROFILE_AUTH_TEST_BEAST)
struct beast_kind {
  static constexpr const char* name = "beast_transport";
  static constexpr const char* host_mismatch = "mismatch";
  static pt::beast_transport make(const tls_config& c) {
    pt::beast_options o;
    o.connect_timeout = 5s;
    o.timeout = 10s;
    o.ca_file = c.ca_file;
    o.ca_pem = c.ca_pem;
    o.verify_peer = o.verify_host = c.verify;
    return pt::beast_transport(o);
  }
  static bool names_verification(const std::string& m) {
    return m.find("TLS certificate verification failed") != std::string::npos;
  }
};
#endif

struct httplib_kind {
  static constexpr const char* name = "httplib_transport";
  static constexpr const char* host_mismatch = "host name mismatch";
  static pt::httplib_transport make(const tls_config& c) {
    pt::httplib_options o;
    o.connect_timeout = 5s;
    o.read_timeout = 10s;
    o.ca_file = c.ca_file;
    o.ca_pem = c.ca_pem;
    o.verify_peer = c.verify;
    return pt::httplib_transport(o);
  }
  static bool names_verification(const std::string& m) {
    return m.find("TLS certificate verification failed") != std::string::npos;
  }
};

#if defined(PROFILE_AUTH_TEST_BEAST)
#define PROFILE_AUTH_TLS_KINDS curl_kind, beast_kind, httplib_kind
#else
#define PROFILE_AUTH_TLS_KINDS curl_kind, httplib_kind
#endif

/// /hello, /port and /sni (the server name the client sent, or "(none)").
void tls_routes(httplib::Server& s) {
  s.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hello over tls", "text/plain");
  });
  s.Get("/port", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(std::to_string(req.remote_port), "text/plain");
  });
  s.Get("/sni", [](const httplib::Request& req, httplib::Response& res) {
    const char* name =
        req.ssl != nullptr ? ::SSL_get_servername(req.ssl, TLSEXT_NAMETYPE_host_name) : nullptr;
    res.set_content(name != nullptr ? name : "(none)", "text/plain");
  });
}

/// The test PKI, or nullptr when the openssl CLI is missing (the test then says so and stops).
const test_ca::pki* pki_or_skip() {
  if (!test_ca::have_openssl_cli()) {
    MESSAGE(
        "HTTPS tests skipped: the openssl command-line tool is not installed "
        "(Debian: apt-get install openssl; scripts/setup installs it)");
    return nullptr;
  }
  const test_ca::pki& p = test_ca::get();
  INFO(p.why);
  REQUIRE(p.ok);
  return &p;
}

std::unique_ptr<loopback::tls_server> serve(const std::string& cert, const std::string& key) {
  return std::make_unique<loopback::tls_server>(tls_routes, cert.c_str(), key.c_str());
}

}  // namespace

TEST_CASE_TEMPLATE("https: the test CA is trusted when given as a file or as PEM text", K,
                   PROFILE_AUTH_TLS_KINDS) {
  const test_ca::pki* p = pki_or_skip();
  if (p == nullptr) return;
  CAPTURE(K::name);
  const auto srv = serve(p->server_cert, p->server_key);
  static_assert(pa::Transport<decltype(K::make({}))>);

  auto by_file = K::make({p->ca_file, "", true});
  for (const char* host : {"127.0.0.1", "localhost"}) {
    CAPTURE(host);
    auto r = by_file.send(get(srv->url("/hello", host)));
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(r->body == "hello over tls");
  }
  auto by_pem = K::make({"", p->ca_pem, true});
  auto r = by_pem.send(get(srv->url("/hello")));
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r.has_value());
  CHECK(r->body == "hello over tls");
}

TEST_CASE_TEMPLATE("https: without the test CA the server's certificate is not trusted", K,
                   PROFILE_AUTH_TLS_KINDS) {
  const test_ca::pki* p = pki_or_skip();
  if (p == nullptr) return;
  CAPTURE(K::name);
  const auto srv = serve(p->server_cert, p->server_key);
  auto t = K::make({});  // the system's default trust store
  auto r = t.send({"POST",
                   srv->url("/hello?code=S3cr3t-QUERY"),
                   {{"Authorization", "Bearer S3cr3t"}},
                   "client_secret=S3cr3t"});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::transport_failed);
  CAPTURE(r.error().message);
  CHECK(K::names_verification(r.error().message));
  CHECK(r.error().message.find("unable to get local issuer certificate") != std::string::npos);
  CHECK(r.error().message.find("S3cr3t") == std::string::npos);
}

TEST_CASE_TEMPLATE("https: a self-signed certificate is rejected", K, PROFILE_AUTH_TLS_KINDS) {
  const test_ca::pki* p = pki_or_skip();
  if (p == nullptr) return;
  CAPTURE(K::name);
  const auto srv = serve(p->self_signed_cert, p->self_signed_key);
  auto t = K::make({p->ca_file, "", true});
  auto r = t.send(get(srv->url("/hello")));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::transport_failed);
  CAPTURE(r.error().message);
  CHECK(K::names_verification(r.error().message));
  CHECK(r.error().message.find("self-signed certificate") != std::string::npos);
}

TEST_CASE_TEMPLATE("https: a certificate for another host is rejected", K, PROFILE_AUTH_TLS_KINDS) {
  const test_ca::pki* p = pki_or_skip();
  if (p == nullptr) return;
  CAPTURE(K::name);
  const auto srv = serve(p->wrong_host_cert, p->wrong_host_key);
  auto t = K::make({p->ca_file, "", true});
  for (const char* host : {"127.0.0.1", "localhost"}) {
    CAPTURE(host);
    auto r = t.send(get(srv->url("/hello", host)));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
    CAPTURE(r.error().message);
    CHECK(K::names_verification(r.error().message));
    CHECK(r.error().message.find(K::host_mismatch) != std::string::npos);
  }
}

TEST_CASE_TEMPLATE("https: verification switched off accepts an untrusted certificate", K,
                   PROFILE_AUTH_TLS_KINDS) {
  const test_ca::pki* p = pki_or_skip();
  if (p == nullptr) return;
  CAPTURE(K::name);
  const auto srv = serve(p->self_signed_cert, p->self_signed_key);
  auto t = K::make({"", "", false});  // a throwaway test server only: never in production
  auto r = t.send(get(srv->url("/hello")));
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r.has_value());
  CHECK(r->body == "hello over tls");
}

TEST_CASE_TEMPLATE("https: SNI names the host, and the TLS connection is kept alive", K,
                   PROFILE_AUTH_TLS_KINDS) {
  const test_ca::pki* p = pki_or_skip();
  if (p == nullptr) return;
  CAPTURE(K::name);
  const auto srv = serve(p->server_cert, p->server_key);
  auto t = K::make({p->ca_file, "", true});
  auto sni = t.send(get(srv->url("/sni", "localhost")));
  INFO((sni ? std::string() : sni.error().message));
  REQUIRE(sni.has_value());
  CHECK(sni->body == "localhost");
  auto a = t.send(get(srv->url("/port", "localhost")));
  auto b = t.send(get(srv->url("/port", "localhost")));
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->body == b->body);
}

#if defined(PROFILE_AUTH_TEST_BEAST)
TEST_CASE("https: beast_transport sends no SNI for an IP address and refuses bad CA options") {
  const test_ca::pki* p = pki_or_skip();
  if (p == nullptr) return;
  const auto srv = serve(p->server_cert, p->server_key);
  auto t = beast_kind::make({p->ca_file, "", true});
  auto sni = t.send(get(srv->url("/sni")));
  REQUIRE(sni.has_value());
  CHECK(sni->body == "(none)");

  auto missing = beast_kind::make({p->dir + "/no-such-file.pem", "", true});
  auto m = missing.send(get(srv->url("/hello")));
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().code == pa::errc::invalid_argument);
  CHECK(m.error().message.find("ca_file") != std::string::npos);

  auto garbage = beast_kind::make({"", "not a certificate", true});
  auto g = garbage.send(get(srv->url("/hello")));
  REQUIRE_FALSE(g.has_value());
  CHECK(g.error().code == pa::errc::invalid_argument);
  CHECK(g.error().message.find("ca_pem") != std::string::npos);
}
#endif

TEST_CASE("https: httplib_transport refuses bad CA options") {
  const test_ca::pki* p = pki_or_skip();
  if (p == nullptr) return;
  const auto srv = serve(p->server_cert, p->server_key);
  auto missing = httplib_kind::make({p->dir + "/no-such-file.pem", "", true});
  auto m = missing.send(get(srv->url("/hello")));
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().code == pa::errc::invalid_argument);
  CHECK(m.error().message.find("ca_file") != std::string::npos);

  auto garbage = httplib_kind::make({"", "not a certificate", true});
  auto g = garbage.send(get(srv->url("/hello")));
  REQUIRE_FALSE(g.has_value());
  CHECK(g.error().code == pa::errc::invalid_argument);
  CHECK(g.error().message.find("ca_pem") != std::string::npos);
}
