// TlsContext: the server's certificate and private key, as an OpenSSL SSL_CTX that new TLS
// connections are made from, replaceable while the server runs (Reload(), on SIGHUP).
//
// Policy (fixed, not configurable): TLS 1.2 and 1.3 only; for TLS 1.2 only ECDHE key exchange with
// AEAD ciphers (AES-GCM, ChaCha20-Poly1305), the server's order preferred; TLS 1.3 with OpenSSL's
// default suites; no renegotiation, no compression; a peer that closes without close_notify is an
// ordinary end of stream (most HTTP clients do so).
//
// Invariants: current() is never null once Create() has returned a context; Reload() replaces it
// only with a context whose certificate and key were both read and match each other, so a bad new
// file keeps the old certificate (the error is returned, and logged by the caller). A connection
// keeps the SSL_CTX it was made from (OpenSSL counts references), so a reload changes only the
// certificate of connections accepted after it.
// Thread safety: every method may be called from any thread (one mutex around the pointer swap).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "util/status.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace cairn::http {

class TlsContext {
 public:
  // Reads the certificate chain (PEM, the server's certificate first) and the private key (PEM).
  // Errors: InvalidArgument("cannot read the TLS certificate FILE: No such file or directory"),
  // InvalidArgument("the TLS private key FILE does not match the certificate FILE"), and the like.
  static Result<std::unique_ptr<TlsContext>> Create(std::string cert_file, std::string key_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Reads the same two files again; on success new connections get the new certificate. On error
  // the current certificate stays in use and the error says why.
  Status Reload();

  // A server-side SSL session for a new connection, in accept state, with partial writes enabled
  // (SSL_write may take part of a buffer; a retry after WANT_WRITE may pass a moved buffer that
  // starts with the same bytes). Null when OpenSSL cannot allocate one. The caller owns it
  // (SSL_free) and attaches the socket.
  SSL* NewSession() const;

  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }

 private:
  TlsContext(std::string cert_file, std::string key_file);
  // A fresh SSL_CTX from the two files, or the error.
  Result<SSL_CTX*> Load() const;

  const std::string cert_file_;
  const std::string key_file_;
  mutable std::mutex mu_;
  SSL_CTX* ctx_ = nullptr;  // GUARDED_BY(mu_); one reference owned here
};

}  // namespace cairn::http
