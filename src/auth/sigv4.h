// SigV4: verification of AWS Signature Version 4 (HMAC-SHA256), in both forms: the Authorization
// header and the presigned query string (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature). Opt-in: only a server started with
// --credentials FILE verifies (main.cc); otherwise credentials.h alone reads the scope.
//
// What is computed (AWS's "Create a canonical request for Signature Version 4", as botocore's
// SigV4Auth and boto 2's HmacAuthV4Handler sign):
//   canonical request = METHOD \n CanonicalUri \n CanonicalQueryString \n CanonicalHeaders \n
//                       SignedHeaders \n payload hash
//   string to sign    = "AWS4-HMAC-SHA256" \n X-Amz-Date \n scope \n hex(SHA256(canonical request))
//   signature         = hex(HMAC(kSigning, string to sign)), kSigning = HMAC chain of "AWS4"+secret
//                       over the scope's date, region, service and "aws4_request".
// The payload hash is SHA256 of the body as received, or "UNSIGNED-PAYLOAD" when the request's
// X-Amz-Content-Sha256 says so; a presigned request may also sign "UNSIGNED-PAYLOAD" (as S3's
// presigned URLs are signed: botocore's S3SigV4QueryAuth), and then its body is not covered.
//
// The errors are DynamoDB's (VerifySignature below); the comparison of signatures takes the same
// time wherever they differ (CRYPTO_memcmp). All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/credential_file.h"
#include "auth/credentials.h"
#include "protocol/errors.h"

namespace cairn::auth::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kService = "dynamodb";  // the scope's service, Streams' too
inline constexpr std::string_view kTerminator = "aws4_request";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// How far a request's date may be from the server's clock, either way (AWS: 15 minutes).
inline constexpr int64_t kMaxClockSkewSeconds = 15 * 60;
// The longest X-Amz-Expires of a presigned request (AWS: one week).
inline constexpr int64_t kMaxExpiresSeconds = 7 * 24 * 3600;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Percent-encoding as SigV4 wants it: every byte but A-Z a-z 0-9 - _ . ~ (and '/' when
// `keep_slash`) as %XY with upper-case hex.
std::string UriEncode(std::string_view s, bool keep_slash);

// The path as a canonical request has it: dot segments and empty segments removed (a trailing '/'
// kept), then encoded again with '/' kept, as botocore does for every service but S3 (the path
// arrives percent-encoded, so it ends up encoded twice).
std::string CanonicalUri(std::string_view raw_path);

// The query's "name=value" pairs decoded, re-encoded with UriEncode, sorted by name then value,
// joined with '&'. `drop_signature` leaves X-Amz-Signature out (the presigned form).
std::string CanonicalQueryString(std::string_view raw_query, bool drop_signature);

// "name:value\n" for each name of `signed_headers` (';'-separated, taken sorted and lower-case):
// the values of every header of that name in arrival order, each trimmed and with runs of blanks
// folded to one space, joined by ','. A signed header the request lacks has an empty value.
// `names` receives the sorted names joined by ';' (the canonical request's SignedHeaders line).
std::string CanonicalHeaders(const HeaderList& headers, std::string_view signed_headers,
                             std::string* names);

std::string CanonicalRequest(std::string_view method, std::string_view canonical_uri,
                             std::string_view canonical_query, std::string_view canonical_headers,
                             std::string_view signed_header_names, std::string_view payload_hash);

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// hex(HMAC-SHA256(signing key, string_to_sign)); `scope_date` is YYYYMMDD.
std::string Signature(std::string_view secret_key, std::string_view scope_date,
                      std::string_view region, std::string_view service,
                      std::string_view string_to_sign);

std::string Sha256Hex(std::string_view data);

// "YYYYMMDDTHHMMSSZ" (ISO 8601 basic, UTC) <-> seconds since the epoch.
std::string FormatAmzDate(int64_t epoch_seconds);
bool ParseAmzDate(std::string_view text, int64_t* epoch_seconds);
// An HTTP Date header ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 1123).
bool ParseHttpDate(std::string_view text, int64_t* epoch_seconds);

// Verifies a request whose signature parts Authenticate() has read, at `now` (epoch seconds).
// Returns nullopt when the signature is good, else DynamoDB's error, checked in this order:
//   - an algorithm other than AWS4-HMAC-SHA256 -> IncompleteSignatureException;
//   - a scope not ending in "aws4_request" -> InvalidSignatureException "Credential should be
//     scoped with a valid terminator: 'aws4_request', not '<x>'. ";
//   - a scope service other than dynamodb -> InvalidSignatureException "Credential should be
//     scoped to correct service: 'dynamodb'. ";
//   - SignedHeaders without host -> InvalidSignatureException "'Host' or ':authority' must be a
//     'SignedHeader' in the AWS Authorization." (a signature must bind the server it is for);
//   - a request date not in ISO 8601 basic form -> IncompleteSignatureException;
//   - a scope date other than the request date's -> InvalidSignatureException "Date in Credential
//     scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ...";
//   - a date more than 15 minutes in the past -> InvalidSignatureException "Signature expired:
//     <date> is now earlier than <now - 15 min> (<now> - 15 min.)", or in the future -> "Signature not yet
//     current: <date> is still later than <now + 15 min> (<now> + 15 min.)"; a presigned request
//     past its X-Amz-Expires -> "Signature expired: <date> is now earlier than <now - expires>
//     (<now> - <expires> sec.)";
//   - an access key id the store lacks, or a session token (X-Amz-Security-Token, header or
//     presigned query) other than the key's (none for a long-term key) ->
//     UnrecognizedClientException "The security token included in the request is invalid.";
//   - a signature that does not match -> InvalidSignatureException with AWS's text, the canonical
//     request and the string to sign the server computed.
std::optional<protocol::ApiError> VerifySignature(const SignedRequest& request,
                                                  const SignatureParts& parts,
                                                  const CredentialStore& store, int64_t now);

}  // namespace cairn::auth::sigv4
