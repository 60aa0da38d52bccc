// The DynamoDB error types and their one renderer. See errors.h for the policy.
#include "protocol/errors.h"

#include <spdlog/spdlog.h>

#include "protocol/json_writer.h"

namespace cairn::protocol {
namespace {

std::string_view NamespaceText(ErrorNamespace ns) {
  switch (ns) {
    case ErrorNamespace::kDynamoDB: return "com.amazonaws.dynamodb.v20120810";
    case ErrorNamespace::kDynamoDB20111205: return "com.amazonaws.dynamodb.v20111205";
    case ErrorNamespace::kCoralValidate: return "com.amazon.coral.validate";
    case ErrorNamespace::kCoralService: return "com.amazon.coral.service";
    case ErrorNamespace::kCoralAvailability: return "com.amazon.coral.availability";
  }
  return "com.amazonaws.dynamodb.v20120810";
}

ApiError Make(int http, ErrorNamespace ns, std::string type, std::string message) {
  ApiError e;
  e.http_status = http;
  e.ns = ns;
  e.type = std::move(type);
  e.message = std::move(message);
  return e;
}

}  // namespace

std::string ApiError::Body() const {
  std::string out;
  out.reserve(64 + type.size() + message.size() + extra_json.size());
  JsonWriter w(&out);
  w.BeginObject();
  std::string t(NamespaceText(ns));
  t.push_back('#');
  t.append(type);
  w.KV("__type", t);
  // DynamoDB writes "message" for most errors and "Message" for SerializationException (coral's
  // deserializer answers before the service does); botocore and the SDKs accept both.
  if (!message.empty()) w.KV(type == "SerializationException" ? "Message" : "message", message);
  if (!extra_json.empty()) {
    out.push_back(',');
    out.append(extra_json);
  }
  w.EndObject();
  return out;
}

// DynamoDB sends ValidationException under the coral validation namespace.
ApiError ApiError::Validation(std::string m) {
  return Make(400, ErrorNamespace::kCoralValidate, "ValidationException", std::move(m));
}
ApiError ApiError::ResourceNotFound(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "ResourceNotFoundException", std::move(m));
}
ApiError ApiError::ResourceInUse(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "ResourceInUseException", std::move(m));
}
ApiError ApiError::TableNotFound(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "TableNotFoundException", std::move(m));
}
ApiError ApiError::BackupNotFound(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "BackupNotFoundException", std::move(m));
}
ApiError ApiError::BackupInUse(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "BackupInUseException", std::move(m));
}
ApiError ApiError::TableAlreadyExists(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "TableAlreadyExistsException", std::move(m));
}
ApiError ApiError::TableInUse(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "TableInUseException", std::move(m));
}
ApiError ApiError::ContinuousBackupsUnavailable(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "ContinuousBackupsUnavailableException",
              std::move(m));
}
ApiError ApiError::PointInTimeRecoveryUnavailable(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "PointInTimeRecoveryUnavailableException",
              std::move(m));
}
ApiError ApiError::InvalidRestoreTime(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "InvalidRestoreTimeException", std::move(m));
}
ApiError ApiError::ConditionalCheckFailed(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "ConditionalCheckFailedException", std::move(m));
}
ApiError ApiError::DuplicateItem(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "DuplicateItemException", std::move(m));
}
ApiError ApiError::LimitExceeded(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "LimitExceededException", std::move(m));
}
ApiError ApiError::ProvisionedThroughputExceeded(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "ProvisionedThroughputExceededException",
              std::move(m));
}
ApiError ApiError::ProvisionedThroughputExceeded() {
  return ProvisionedThroughputExceeded(
      "The level of configured provisioned throughput for the table was exceeded. Consider "
      "increasing your provisioning level with the UpdateTable API.");
}
ApiError ApiError::Throttling(std::string m) {
  return Make(400, ErrorNamespace::kCoralAvailability, "ThrottlingException", std::move(m));
}
ApiError ApiError::RequestLimitExceeded() {
  return Make(400, ErrorNamespace::kDynamoDB, "RequestLimitExceeded",
              "Throughput exceeds the current throughput limit for your account. Please contact "
              "AWS Support at https://aws.amazon.com/support request a limit increase");
}
ApiError ApiError::ItemCollectionSizeLimitExceeded(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "ItemCollectionSizeLimitExceededException",
              std::move(m));
}
ApiError ApiError::TransactionCanceled(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "TransactionCanceledException", std::move(m));
}
ApiError ApiError::TransactionConflict(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "TransactionConflictException", std::move(m));
}
ApiError ApiError::TransactionInProgress(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "TransactionInProgressException", std::move(m));
}
ApiError ApiError::IdempotentParameterMismatch(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "IdempotentParameterMismatchException",
              std::move(m));
}
ApiError ApiError::ExpiredIterator(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "ExpiredIteratorException", std::move(m));
}
ApiError ApiError::TrimmedDataAccess(std::string m) {
  return Make(400, ErrorNamespace::kDynamoDB, "TrimmedDataAccessException", std::move(m));
}
ApiError ApiError::Serialization(std::string m) {
  return Make(400, ErrorNamespace::kCoralService, "SerializationException", std::move(m));
}
// NOT VERIFIED against DynamoDB (dynalite answers without a message); the issue asks for the name.
ApiError ApiError::UnknownOperation(std::string_view operation) {
  std::string message = operation.empty() ? "Unknown operation: no X-Amz-Target header"
                                          : "Unknown operation: " + std::string(operation);
  return Make(400, ErrorNamespace::kCoralService, "UnknownOperationException", std::move(message));
}
ApiError ApiError::MissingAuthenticationToken() {
  return Make(400, ErrorNamespace::kCoralService, "MissingAuthenticationTokenException",
              "Request is missing Authentication Token");
}
ApiError ApiError::IncompleteSignature(std::string m) {
  return Make(400, ErrorNamespace::kCoralService, "IncompleteSignatureException", std::move(m));
}
ApiError ApiError::InvalidSignature(std::string m) {
  return Make(400, ErrorNamespace::kCoralService, "InvalidSignatureException", std::move(m));
}
ApiError ApiError::UnrecognizedClient() {
  return Make(400, ErrorNamespace::kCoralService, "UnrecognizedClientException",
              "The security token included in the request is invalid.");
}
ApiError ApiError::AccessDenied(std::string m) {
  return Make(400, ErrorNamespace::kCoralService, "AccessDeniedException", std::move(m));
}
ApiError ApiError::InternalServerError(std::string m) {
  return Make(500, ErrorNamespace::kDynamoDB, "InternalServerError", std::move(m));
}
ApiError ApiError::RequestEntityTooLarge() {
  return Make(413, ErrorNamespace::kCoralService, "RequestEntityTooLargeException",
              "Request entity too large");
}
ApiError ApiError::HostNotAllowed() {
  return Make(403, ErrorNamespace::kCoralService, "AccessDeniedException",
              "The request's Host header names a host this server does not answer for");
}
ApiError ApiError::RequestTimeout() {
  return Make(408, ErrorNamespace::kCoralService, "RequestTimeoutException",
              "Request timed out");
}
ApiError ApiError::ServiceUnavailable() {
  return Make(503, ErrorNamespace::kDynamoDB, "ServiceUnavailable",
              "The service is currently unavailable or busy.");
}

ApiError ApiError::FromStatus(const Status& s) {
  if (s.IsInvalidArgument()) return Validation(s.message());
  if (s.IsNotFound()) return ResourceNotFound();
  spdlog::error("internal error: {}", s.ToString());
  return InternalServerError();
}

}  // namespace cairn::protocol
