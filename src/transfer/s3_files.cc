// S3 objects as files: see s3_files.h.
#include "transfer/s3_files.h"

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <random>
#include <system_error>

#include "types/base64.h"

namespace cairn::transfer {
namespace fs = std::filesystem;
namespace {
// Marks the temporary file of an object being written; ListObjects skips such files.
constexpr std::string_view kTempMark = ".cairn-tmp-";
}  // namespace

Status CheckBucketName(std::string_view b) {
  auto bad = [&](std::string why) {
    return Status::InvalidArgument("Invalid S3 bucket name " + std::string(b) + ": " + why);
  };
  if (b.size() < 3 || b.size() > 63) return bad("must be 3 to 63 characters long");
  for (char c : b)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '.' || c == '-'))
      return bad("only lowercase letters, digits, '.' and '-' are allowed");
  if (!std::isalnum(static_cast<unsigned char>(b.front())) ||
      !std::isalnum(static_cast<unsigned char>(b.back())))
    return bad("must begin and end with a letter or digit");
  if (b.find("..") != std::string_view::npos) return bad("must not contain two adjacent periods");
  int dots = 0;
  bool digits_only = true;
  for (char c : b) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) digits_only = false;
  }
  if (dots == 3 && digits_only) return bad("must not be formatted as an IP address");
  return Status::OK();
}

Status CheckKey(std::string_view key) {
  if (key.find('\0') != std::string_view::npos || (!key.empty() && key.front() == '/'))
    return Status::InvalidArgument("Invalid S3 key prefix: " + std::string(key));
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg == ".." || seg == ".")
      return Status::InvalidArgument("Invalid S3 key prefix (a '" + std::string(seg) +
                                     "' segment leaves the bucket): " + std::string(key));
    start = end + 1;
  }
  return Status::OK();
}

fs::path ObjectPath(const fs::path& root, std::string_view bucket, std::string_view key) {
  return root / std::string(bucket) / std::string(key);
}

Status PutObject(const fs::path& path, std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Status::IOError(path.parent_path().string() + ": " + ec.message());
  thread_local std::mt19937_64 rng{std::random_device{}()};
  fs::path tmp = path;
  tmp += std::string(kTempMark) + std::to_string(rng());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.flush();
    if (!f) return Status::IOError(tmp.string() + ": cannot write");
  }
  fs::rename(tmp, path, ec);
  if (ec) return Status::IOError(path.string() + ": " + ec.message());
  return Status::OK();
}

Result<std::string> GetObject(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::IOError(path.string() + ": cannot read");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) return Status::IOError(path.string() + ": cannot read");
  return s;
}

Result<std::vector<std::string>> ListObjects(const fs::path& root, std::string_view bucket,
                                             std::string_view prefix) {
  std::vector<std::string> keys;
  fs::path dir = root / std::string(bucket);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return keys;
  // Only the directory the prefix names (up to its last '/') needs walking.
  fs::path start = dir / std::string(prefix.substr(0, prefix.rfind('/') == std::string_view::npos
                                                          ? 0
                                                          : prefix.rfind('/')));
  if (!fs::is_directory(start, ec)) return keys;
  for (auto it = fs::recursive_directory_iterator(start, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string key = fs::relative(it->path(), dir, ec).generic_string();
    if (it->path().filename().string().find(kTempMark) != std::string::npos)
      continue;  // an object being written (PutObject)
    if (key.compare(0, prefix.size(), prefix) == 0) keys.push_back(std::move(key));
  }
  if (ec) return Status::IOError(start.string() + ": " + ec.message());
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string GzipCompress(std::string_view bytes) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

namespace {

Result<std::string> Gunzip(std::string_view bytes) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return Status::Corruption("gzip: cannot initialize");
  std::string out;
  char buf[1 << 16];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  int rc = Z_OK;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      inflateReset(&z);  // concatenated members
      continue;
    }
    if (rc != Z_OK) break;
    if (z.avail_in == 0 && z.avail_out != 0) {
      rc = Z_DATA_ERROR;  // truncated
      break;
    }
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::Corruption("gzip: the data is not valid gzip");
  return out;
}

Result<std::string> Unzstd(std::string_view bytes) {
  ZSTD_DStream* d = ZSTD_createDStream();
  ZSTD_initDStream(d);
  std::string out;
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  size_t last = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(d, &o, &in);
    if (ZSTD_isError(last)) {
      ZSTD_freeDStream(d);
      return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(last));
    }
    out.append(buf.data(), o.pos);
  }
  // Flush what remains buffered.
  while (last != 0) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(d, &o, &in);
    if (ZSTD_isError(last) || o.pos == 0) break;
    out.append(buf.data(), o.pos);
  }
  ZSTD_freeDStream(d);
  if (last != 0) return Status::Corruption("zstd: the data is truncated");
  return out;
}

}  // namespace

Result<std::string> Decompress(Compression c, std::string_view bytes) {
  switch (c) {
    case Compression::kNone: return std::string(bytes);
    case Compression::kGzip: return Gunzip(bytes);
    case Compression::kZstd: return Unzstd(bytes);
  }
  return std::string(bytes);
}

namespace {
std::string Md5Raw(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}
}  // namespace

std::string Md5Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : Md5Raw(bytes)) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Md5Base64(std::string_view bytes) { return Base64Encode(Md5Raw(bytes)); }

}  // namespace cairn::transfer
