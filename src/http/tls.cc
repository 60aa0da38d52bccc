// TlsContext: building the SSL_CTX from the two PEM files, and swapping it on Reload().
#include "http/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <system_error>
#include <utility>

namespace cairn::http {
namespace {

// TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only, strongest first (Mozilla's
// "intermediate" list without DHE, which would need DH parameters of our own).
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// The most recent OpenSSL error of this thread, as text (empties the thread's error queue).
std::string OpenSslError() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

// Whether `path` can be opened for reading; the errno text when not. OpenSSL's own message for a
// missing file ("system library") says less than the operator needs.
std::string Unreadable(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return std::system_category().message(errno);
  std::fclose(f);
  return "";
}

}  // namespace

TlsContext::TlsContext(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Result<std::unique_ptr<TlsContext>> TlsContext::Create(std::string cert_file,
                                                       std::string key_file) {
  std::unique_ptr<TlsContext> tls(new TlsContext(std::move(cert_file), std::move(key_file)));
  Result<SSL_CTX*> ctx = tls->Load();
  if (!ctx.ok()) return ctx.status();
  tls->ctx_ = *ctx;
  return tls;
}

Result<SSL_CTX*> TlsContext::Load() const {
  if (cert_file_.empty()) return Status::InvalidArgument("no TLS certificate file given");
  if (key_file_.empty()) return Status::InvalidArgument("no TLS private key file given");
  if (std::string e = Unreadable(cert_file_); !e.empty())
    return Status::InvalidArgument("cannot read the TLS certificate " + cert_file_ + ": " + e);
  if (std::string e = Unreadable(key_file_); !e.empty())
    return Status::InvalidArgument("cannot read the TLS private key " + key_file_ + ": " + e);

  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Status::IOError("SSL_CTX_new: " + OpenSslError());
  auto fail = [ctx](std::string what) -> Status {
    std::string message = std::move(what) + ": " + OpenSslError();
    SSL_CTX_free(ctx);
    return Status::InvalidArgument(std::move(message));
  };
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    return fail("cannot require TLS 1.2");
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) return fail("cannot set the ciphers");
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                               SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Idle keep-alive connections give their 34 KB of record buffers back.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file_.c_str()) != 1)
    return fail("cannot load the TLS certificate " + cert_file_);
  const std::string mismatch =
      "the TLS private key " + key_file_ + " does not match the certificate " + cert_file_;
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file_.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL compares the key with the certificate already loaded as it reads it.
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) return fail(mismatch);
    return fail("cannot load the TLS private key " + key_file_);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) return fail(mismatch);
  return ctx;
}

Status TlsContext::Reload() {
  Result<SSL_CTX*> fresh = Load();
  if (!fresh.ok()) return fresh.status();
  SSL_CTX* old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = std::exchange(ctx_, *fresh);
  }
  SSL_CTX_free(old);  // connections made from it hold references of their own
  return Status::OK();
}

SSL* TlsContext::NewSession() const {
  std::lock_guard<std::mutex> lock(mu_);
  SSL* ssl = SSL_new(ctx_);
  if (ssl != nullptr) SSL_set_accept_state(ssl);
  return ssl;
}

}  // namespace cairn::http
