// ApiError: a DynamoDB error as the client sees it: HTTP status, error type and message.
// This is the only file that spells DynamoDB's error types. Every error a client can receive is built
// by one of the factories below, and Body() in errors.cc is the only renderer of the JSON body
// ({"__type": "<namespace>#<Type>", "message": "..."}; "Message" for SerializationException);
// api/dispatch.cc renders the operations' errors, main.cc the HTTP layer's own.
//
// Policy (src/README.md, "Errors"): validation of a malformed request may `Throw(ApiError)`, caught
// for the reply only in api/dispatch.cc; outcomes clients cause every day (a failed condition, a
// missing table) are returned by value, never thrown through the writer or storage. Internal layers
// use Status (util/status.h); FromStatus() maps one to the error a client sees.
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>

#include "util/status.h"

namespace cairn::protocol {

// The namespace DynamoDB puts before '#' in "__type". Clients (botocore, boto 2, the SDKs) read only
// the part after '#', but we send what DynamoDB sends.
enum class ErrorNamespace : unsigned char {
  kDynamoDB,         // com.amazonaws.dynamodb.v20120810
  kDynamoDB20111205, // com.amazonaws.dynamodb.v20111205 (the boto 2 Layer1 API)
  kCoralValidate,    // com.amazon.coral.validate
  kCoralService,     // com.amazon.coral.service
  kCoralAvailability,  // com.amazon.coral.availability (ThrottlingException)
};

struct ApiError {
  int http_status = 400;
  ErrorNamespace ns = ErrorNamespace::kDynamoDB;
  std::string type;     // e.g. "ValidationException"
  std::string message;  // may be empty: then no "message" member is written
  std::string extra_json;  // extra members for the body, already JSON (e.g. "\"Item\":{...}"), or empty

  // The JSON body DynamoDB sends for this error (with the 2012-08-10 namespace unless overridden).
  std::string Body() const;

  // --- client errors (HTTP 400) ---
  static ApiError Validation(std::string message);
  static ApiError ResourceNotFound(std::string message = "Requested resource not found");
  static ApiError ResourceInUse(std::string message);
  // The backup operations' "no such table" (ResourceNotFound elsewhere).
  static ApiError TableNotFound(std::string message);
  // The backup operations' own errors (api/backup_ops.cc has their messages and sources).
  static ApiError BackupNotFound(std::string message);
  static ApiError BackupInUse(std::string message);
  static ApiError TableAlreadyExists(std::string message);
  static ApiError TableInUse(std::string message);
  static ApiError ContinuousBackupsUnavailable(std::string message);
  static ApiError PointInTimeRecoveryUnavailable(std::string message);
  static ApiError InvalidRestoreTime(std::string message);
  static ApiError ConditionalCheckFailed(std::string message = "The conditional request failed");
  static ApiError DuplicateItem(std::string message = "Duplicate primary key exists in table");
  static ApiError LimitExceeded(std::string message);
  static ApiError ProvisionedThroughputExceeded(std::string message);
  // DynamoDB's message when a table's (or index's) provisioned capacity is exhausted.
  static ApiError ProvisionedThroughputExceeded();
  // Control-plane request rates and the like; the SDKs retry it with backoff.
  static ApiError Throttling(std::string message = "Rate of requests exceeds the allowed throughput.");
  // The account's throughput quota exceeded; the SDKs retry it with backoff.
  static ApiError RequestLimitExceeded();
  static ApiError ItemCollectionSizeLimitExceeded(std::string message);
  static ApiError TransactionCanceled(std::string message);
  static ApiError TransactionConflict(std::string message);
  static ApiError TransactionInProgress(std::string message);
  static ApiError IdempotentParameterMismatch(std::string message);
  static ApiError ExpiredIterator(std::string message);
  static ApiError TrimmedDataAccess(std::string message);
  static ApiError Serialization(std::string message);
  // `operation`: what the request asked for (its X-Amz-Target value), named in the message.
  static ApiError UnknownOperation(std::string_view operation);
  static ApiError MissingAuthenticationToken();
  static ApiError IncompleteSignature(std::string message);
  static ApiError InvalidSignature(std::string message);
  static ApiError UnrecognizedClient();
  static ApiError AccessDenied(std::string message);
  // --- server errors (HTTP 500) ---
  static ApiError InternalServerError(std::string message = "Internal server error");
  // HTTP 413: a body over the request size limit.
  static ApiError RequestEntityTooLarge();
  // Answers of the HTTP front (http/server.h, "Bounds"), made by main.cc's error_body:
  // HTTP 403: a Host header that is not allowed while bound to loopback (DNS rebinding). Cairn's
  // own: DynamoDB has no such check. AccessDeniedException is the type SDKs already know.
  static ApiError HostNotAllowed();
  // HTTP 408: a request not received in time (headers, or a body that stopped progressing).
  static ApiError RequestTimeout();
  // HTTP 503: a connection or request-buffer limit reached; the SDKs retry it (DynamoDB's
  // "ServiceUnavailable", HTTP 503, in its list of common errors).
  static ApiError ServiceUnavailable();

  // Maps an internal Status: kInvalidArgument -> ValidationException with its message,
  // kNotFound -> ResourceNotFoundException, anything else -> InternalServerError (logged once).
  static ApiError FromStatus(const Status& status);
};

// Every error type the factories above produce, once each: the fixed label set of the error
// metrics (metrics/request_metrics.h counts errors by index into it). A new factory adds its type
// here; tests/unit/protocol/errors_test.cc checks that every factory's type is listed.
inline constexpr std::string_view kErrorTypes[] = {
    "ValidationException",
    "ResourceNotFoundException",
    "ResourceInUseException",
    "TableNotFoundException",
    "ConditionalCheckFailedException",
    "DuplicateItemException",
    "LimitExceededException",
    "ProvisionedThroughputExceededException",
    "ItemCollectionSizeLimitExceededException",
    "TransactionCanceledException",
    "TransactionConflictException",
    "TransactionInProgressException",
    "IdempotentParameterMismatchException",
    "ExpiredIteratorException",
    "TrimmedDataAccessException",
    "SerializationException",
    "UnknownOperationException",
    "MissingAuthenticationTokenException",
    "IncompleteSignatureException",
    "InvalidSignatureException",
    "UnrecognizedClientException",
    "AccessDeniedException",
    "InternalServerError",
    "RequestEntityTooLargeException",
    "RequestTimeoutException",
    "ServiceUnavailable",
};
inline constexpr size_t kErrorTypeCount = std::size(kErrorTypes);

// The index of `type` in kErrorTypes; kErrorTypeCount for a type not listed.
inline size_t ErrorTypeIndex(std::string_view type) {
  for (size_t i = 0; i < kErrorTypeCount; ++i)
    if (kErrorTypes[i] == type) return i;
  return kErrorTypeCount;
}

// DynamoDB's whole answer (HTTP 404, no content type) to a request whose method is not POST (nor
// GET/HEAD, the health check): not JSON, and not an ApiError. Recorded by dynalite's connection
// tests against DynamoDB (29 bytes, x-amz-crc32 3552371480).
inline constexpr std::string_view kUnknownOperationXmlBody = "<UnknownOperationException/>\n";

// Thrown by request validation; caught only in api/dispatch.cc.
struct ApiException {
  ApiError error;
};

[[noreturn]] inline void Throw(ApiError e) { throw ApiException{std::move(e)}; }
[[noreturn]] inline void ThrowValidation(std::string message) {
  throw ApiException{ApiError::Validation(std::move(message))};
}

}  // namespace cairn::protocol
