// S3 as a directory tree (--s3-dir): object `key` of bucket `bucket` is the file
// <root>/<bucket>/<key>. What export and import need of S3: names checked as S3 checks them,
// objects written whole (temporary file, then rename), listed by key prefix, and their bytes
// compressed or decompressed (gzip through zlib, zstd through libzstd), with S3's checksums.
//
// Errors: a bucket name S3 would refuse, or a key with a `..` or `.` segment, a leading '/' or a
// NUL (which would leave the bucket's directory), is InvalidArgument; file errors are IOError
// with the path; undecodable compressed bytes are Corruption.
// Stateless functions: safe from any thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace cairn::transfer {

enum class Compression : uint8_t { kNone, kGzip, kZstd };

// S3's bucket naming rules: 3..63 characters of a-z 0-9 . -, starting and ending with a letter
// or digit, no "..", not an IP address. Returns InvalidArgument naming the rule broken.
Status CheckBucketName(std::string_view bucket);
// A key or key prefix that stays inside its bucket (see above).
Status CheckKey(std::string_view key);

// <root>/<bucket>/<key>. REQUIRES: both checked.
std::filesystem::path ObjectPath(const std::filesystem::path& root, std::string_view bucket,
                                 std::string_view key);

// Writes an object whole: a temporary file beside it, then a rename (parents are created).
Status PutObject(const std::filesystem::path& path, std::string_view bytes);
Result<std::string> GetObject(const std::filesystem::path& path);

// The keys of `bucket` that start with `prefix`, in byte order (regular files only).
Result<std::vector<std::string>> ListObjects(const std::filesystem::path& root,
                                             std::string_view bucket, std::string_view prefix);

std::string GzipCompress(std::string_view bytes);
Result<std::string> Decompress(Compression c, std::string_view bytes);

// MD5 of `bytes`: as lowercase hex (S3's ETag of a single-part object) and as base64
// (Content-MD5, the manifests' md5Checksum).
std::string Md5Hex(std::string_view bytes);
std::string Md5Base64(std::string_view bytes);

}  // namespace cairn::transfer
