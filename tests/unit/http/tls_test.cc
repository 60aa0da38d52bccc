// TlsContext and the Server's HTTPS listener: certificates made here with OpenSSL (a self-signed
// EC certificate per test, in a temporary directory), a blocking OpenSSL client of our own.
#include "http/tls.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "http/server.h"

namespace cairn::http {
namespace {

namespace fs = std::filesystem;

// A self-signed certificate for CN=`name` and its key, written as PEM files into `dir`.
struct Pem {
  std::string cert;
  std::string key;
};

Pem MakeCertificate(const fs::path& dir, const std::string& name) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  const long serial = static_cast<long>(std::hash<std::string>{}(name) % 1000000);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* subject = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, subject);
  X509_sign(x, key, EVP_sha256());
  Pem pem{(dir / (name + ".pem")).string(), (dir / (name + ".key")).string()};
  std::FILE* f = std::fopen(pem.cert.c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(pem.key.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
  return pem;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "cairn-tls-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The subject CN of the certificate a new session of `tls` would present.
std::string ServedName(const TlsContext& tls) {
  SSL* ssl = tls.NewSession();
  if (ssl == nullptr) return "<no session>";
  X509* x = SSL_get_certificate(ssl);
  char buf[256] = {};
  if (x != nullptr) X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, 255);
  SSL_free(ssl);
  return buf;
}

TEST(TlsContextTest, LoadsACertificateAndItsKey) {
  TempDir dir;
  Pem pem = MakeCertificate(dir.path(), "first");
  auto tls = TlsContext::Create(pem.cert, pem.key);
  ASSERT_TRUE(tls.ok()) << tls.status().ToString();
  EXPECT_EQ(ServedName(**tls), "first");
}

TEST(TlsContextTest, MissingOrMismatchedFilesAreRefusedWithTheirNames) {
  TempDir dir;
  Pem a = MakeCertificate(dir.path(), "a");
  Pem b = MakeCertificate(dir.path(), "b");
  const std::string missing = (dir.path() / "missing.pem").string();
  auto r = TlsContext::Create(missing, a.key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "cannot read the TLS certificate " + missing + ": No such file or directory");
  r = TlsContext::Create(a.cert, missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "cannot read the TLS private key " + missing + ": No such file or directory");
  r = TlsContext::Create(a.cert, b.key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind(
                "the TLS private key " + b.key + " does not match the certificate " + a.cert, 0),
            0u)
      << r.status().message();
  r = TlsContext::Create(a.key, a.key);  // a key where the certificate should be
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("cannot load the TLS certificate " + a.key, 0), 0u);
  r = TlsContext::Create("", a.key);
  EXPECT_FALSE(r.ok());
}

TEST(TlsContextTest, ReloadSwapsTheCertificateOrKeepsTheOldOne) {
  TempDir dir;
  Pem live = MakeCertificate(dir.path(), "old");
  auto created = TlsContext::Create(live.cert, live.key);
  ASSERT_TRUE(created.ok());
  TlsContext& tls = **created;
  SSL* before = tls.NewSession();  // made from the old context: keeps it

  Pem fresh = MakeCertificate(dir.path(), "new");
  fs::copy_file(fresh.cert, live.cert, fs::copy_options::overwrite_existing);
  // The certificate alone changed: it does not match the key, the old pair stays.
  Status s = tls.Reload();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not match"), std::string::npos) << s.message();
  EXPECT_EQ(ServedName(tls), "old");
  fs::copy_file(fresh.key, live.key, fs::copy_options::overwrite_existing);
  s = tls.Reload();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ServedName(tls), "new");
  fs::remove(live.cert);
  EXPECT_FALSE(tls.Reload().ok());
  EXPECT_EQ(ServedName(tls), "new");

  char buf[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(SSL_get_certificate(before)), NID_commonName, buf,
                            63);
  EXPECT_STREQ(buf, "old");  // an existing session is not touched by a reload
  SSL_free(before);
}

// --- the Server over TLS --------------------------------------------------------------------

// A blocking TLS client with a receive timeout; verification off (the certificate is ours).
class TlsClient {
 public:
  explicit TlsClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) return;
    ctx_ = SSL_CTX_new(TLS_client_method());
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    connected_ = SSL_connect(ssl_) == 1;
  }
  ~TlsClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    ::close(fd_);
  }
  bool connected() const { return connected_; }
  std::string version() const { return SSL_get_version(ssl_); }

  bool Send(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      int n = SSL_write(ssl_, data.data() + done, static_cast<int>(data.size() - done));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  // One response's status and body (Content-Length framing), or nullopt on EOF or error.
  std::optional<std::pair<int, std::string>> Read() {
    for (;;) {
      size_t end = buf_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t cl = buf_.find("Content-Length: ");
        size_t length = cl < end ? std::stoul(buf_.substr(cl + 16)) : 0;
        if (buf_.size() >= end + 4 + length) {
          int status = std::stoi(buf_.substr(9, 3));
          std::string body = buf_.substr(end + 4, length);
          buf_.erase(0, end + 4 + length);
          return std::make_pair(status, body);
        }
      }
      char tmp[16384];
      int n = SSL_read(ssl_, tmp, sizeof(tmp));
      if (n <= 0) return std::nullopt;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool connected_ = false;
  std::string buf_;
};

std::string Post(const std::string& url, const std::string& body) {
  return "POST " + url +
         " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// The body back; /big/N answers N bytes.
void Echo(const Request& req, Response& resp) {
  resp.status = 200;
  if (req.url.starts_with("/big/")) {
    resp.body.assign(std::stoul(std::string(req.url.substr(5))), 'z');
  } else {
    resp.body.assign(req.body);
  }
}

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Pem pem = MakeCertificate(dir_.path(), "server");
    auto tls = TlsContext::Create(pem.cert, pem.key);
    ASSERT_TRUE(tls.ok()) << tls.status().ToString();
    ServerOptions o;
    o.port = 0;
    o.tls_port = 0;
    o.threads = 2;
    o.header_timeout = std::chrono::milliseconds(500);
    o.tls = std::shared_ptr<TlsContext>(std::move(tls).value());
    server_ = std::make_unique<Server>(o, Echo);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_GT(server_->tls_port(), 0);
    ASSERT_NE(server_->tls_port(), server_->port());
  }

  TempDir dir_;
  std::unique_ptr<Server> server_;
};

TEST_F(TlsServerTest, KeepAliveRequestsOverOneConnection) {
  TlsClient c(server_->tls_port());
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(c.version() == "TLSv1.3" || c.version() == "TLSv1.2") << c.version();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.Send(Post("/", "hello " + std::to_string(i))));
    auto r = c.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->first, 200);
    EXPECT_EQ(r->second, "hello " + std::to_string(i));
  }
}

TEST_F(TlsServerTest, LargeBodiesBothWaysAndPipelining) {
  TlsClient c(server_->tls_port());
  ASSERT_TRUE(c.connected());
  std::string big(3 << 20, 'q');  // many TLS records in, and WANT_WRITE on the way out
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(c.Send(Post("/", big) + Post("/big/5000000", "") + Post("/", "tail")));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->second, big);
  r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->second.size(), 5000000u);
  r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->second, "tail");
}

TEST_F(TlsServerTest, PlainHttpOnTheTlsPortGets400) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(server_->tls_port()));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  std::string req = Post("/", "plain");
  ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  std::string got;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("Connection: close\r\n"), std::string::npos);
  // Both ports still serve.
  TlsClient c(server_->tls_port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(Post("/", "after")));
  EXPECT_EQ(c.Read()->second, "after");
}

TEST_F(TlsServerTest, SilentClientIsClosedByTheHeaderTimeout) {
  auto start = std::chrono::steady_clock::now();
  TlsClient c(server_->tls_port());  // handshake done, then nothing
  ASSERT_TRUE(c.connected());
  EXPECT_FALSE(c.Read().has_value());
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(400));
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST_F(TlsServerTest, ShutdownDrainsTlsConnectionsToo) {
  TlsClient c(server_->tls_port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("POST / HTTP/1.1\r\nContent-Length: 8\r\n\r\nhalf"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  size_t cut = SIZE_MAX;
  std::thread stopper([&] { cut = server_->Shutdown(std::chrono::seconds(5)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(c.Send("done"));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->second, "halfdone");
  EXPECT_FALSE(c.Read().has_value());  // then closed
  stopper.join();
  EXPECT_EQ(cut, 0u);
}

TEST(TlsServerStartTest, HttpsAloneOrBesideButNeverOnThePlainPort) {
  TempDir dir;
  Pem pem = MakeCertificate(dir.path(), "server");
  auto tls = TlsContext::Create(pem.cert, pem.key);
  ASSERT_TRUE(tls.ok());
  std::shared_ptr<const TlsContext> shared(std::move(tls).value());
  ServerOptions o;
  o.threads = 1;
  o.port = -1;  // HTTPS only
  o.tls_port = 0;
  o.tls = shared;
  Server alone(o, Echo);
  ASSERT_TRUE(alone.Start().ok());
  EXPECT_EQ(alone.port(), -1);
  TlsClient c(alone.tls_port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(Post("/", "alone")));
  EXPECT_EQ(c.Read()->second, "alone");

  o.port = alone.tls_port() + 1 > 65535 ? 40000 : alone.tls_port() + 1;
  alone.Stop();
  o.tls_port = o.port;  // the same port twice: refused, not shared at random
  Server twice(o, Echo);
  Status s = twice.Start();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("must differ from the HTTP port"), std::string::npos);
}

}  // namespace
}  // namespace cairn::http
