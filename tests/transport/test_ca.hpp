// SPDX-License-Identifier: MIT
// A throwaway PKI for the HTTPS tests, made at test time with the openssl command-line tool
// (Debian package openssl) in a private temporary directory that is removed at exit:
//   - a test CA,
//   - a server certificate it signed for localhost, 127.0.0.1 and ::1 (subjectAltName),
//   - a certificate it signed for another host only (must fail host name verification),
//   - a self-signed certificate for localhost and 127.0.0.1 (must fail chain verification).
// Keys are P-256: quick to make, accepted by every TLS stack under test.
#ifndef PROFILE_AUTH_TESTS_TRANSPORT_TEST_CA_HPP
#define PROFILE_AUTH_TESTS_TRANSPORT_TEST_CA_HPP

#include <cstdlib>       // std::system, std::getenv, mkdtemp
#include <filesystem>    // removing the directory at exit
#include <fstream>       // writing the config, reading the CA back
#include <iterator>      // std::istreambuf_iterator
#include <string>        // paths, PEM text, reasons
#include <system_error>  // std::error_code: removal at exit never fails loudly

namespace test_ca {

/// Paths of the generated files (PEM). `ok` is false when something failed; `why` says what.
struct pki {
  bool ok = false;
  std::string why;
  std::string dir;
  std::string ca_file;                            ///< the test CA's certificate
  std::string ca_pem;                             ///< the same, as text
  std::string server_cert, server_key;            ///< localhost, 127.0.0.1, ::1; signed by the CA
  std::string wrong_host_cert, wrong_host_key;    ///< wrong-host.invalid only; signed by the CA
  std::string self_signed_cert, self_signed_key;  ///< localhost, 127.0.0.1; signed by itself
};

/// True when `openssl version` runs.
inline bool have_openssl_cli() { return std::system("openssl version >/dev/null 2>&1") == 0; }

namespace detail {

inline constexpr const char* config = R"(# profile-auth test PKI
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
authorityKeyIdentifier = keyid
[wrong_host]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong-host.invalid
authorityKeyIdentifier = keyid
[self_signed]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
)";

/// Removes the directory when the process ends.
struct cleanup {
  std::string dir;
  ~cleanup() {
    if (dir.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

inline pki make() {
  pki p;
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/profile-auth-tls-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    p.why = "mkdtemp failed for " + templ;
    return p;
  }
  p.dir = templ;
  static cleanup remove_at_exit;
  remove_at_exit.dir = p.dir;

  const std::string d = p.dir + "/";
  {
    std::ofstream cnf(d + "pki.cnf");
    cnf << config;
    if (!cnf) {
      p.why = "cannot write " + d + "pki.cnf";
      return p;
    }
  }
  const std::string log = d + "openssl.log";
  const auto run = [&](const std::string& args) {
    const std::string cmd = "openssl " + args + " >>'" + log + "' 2>&1";
    if (std::system(cmd.c_str()) == 0) return true;
    std::ifstream in(log);
    p.why = "failed: " + cmd + "\n" +
            std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return false;
  };
  const auto key = [&](const std::string& name) {
    return run("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '" + d + name +
               ".key'");
  };
  const std::string cnf = "-config '" + d + "pki.cnf'";
  const auto signed_by_ca = [&](const std::string& name, const std::string& cn,
                                const std::string& section, int serial) {
    return key(name) &&
           run("req -new -key '" + d + name + ".key' -subj '/CN=" + cn + "' " + cnf + " -out '" +
               d + name + ".csr'") &&
           run("x509 -req -in '" + d + name + ".csr' -CA '" + d + "ca.pem' -CAkey '" + d +
               "ca.key' -set_serial " + std::to_string(serial) + " -days 2 -sha256 -extfile '" + d +
               "pki.cnf' -extensions " + section + " -out '" + d + name + ".pem'");
  };
  const bool made =
      key("ca") &&
      run("req -new -x509 -key '" + d + "ca.key' -subj '/CN=profile-auth test CA' -days 2 " +
          "-sha256 " + cnf + " -extensions ca -out '" + d + "ca.pem'") &&
      signed_by_ca("server", "localhost", "server", 2) &&
      signed_by_ca("wrong_host", "wrong-host.invalid", "wrong_host", 3) && key("self_signed") &&
      run("req -new -x509 -key '" + d + "self_signed.key' -subj '/CN=localhost' -days 2 " +
          "-sha256 " + cnf + " -extensions self_signed -out '" + d + "self_signed.pem'");
  if (!made) return p;

  p.ca_file = d + "ca.pem";
  p.server_cert = d + "server.pem";
  p.server_key = d + "server.key";
  p.wrong_host_cert = d + "wrong_host.pem";
  p.wrong_host_key = d + "wrong_host.key";
  p.self_signed_cert = d + "self_signed.pem";
  p.self_signed_key = d + "self_signed.key";
  std::ifstream ca(p.ca_file);
  p.ca_pem.assign(std::istreambuf_iterator<char>(ca), std::istreambuf_iterator<char>());
  if (p.ca_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    p.why = "the generated CA certificate " + p.ca_file + " is not PEM";
    return p;
  }
  p.ok = true;
  return p;
}

}  // namespace detail

/// The process's test PKI, made on first use (only call it when have_openssl_cli()).
inline const pki& get() {
  static const pki instance = detail::make();
  return instance;
}

}  // namespace test_ca

#endif  // PROFILE_AUTH_TESTS_TRANSPORT_TEST_CA_HPP
