// kErrorTypes (the error metrics' label set) lists the type of every ApiError factory, once.
#include "protocol/errors.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace cairn::protocol {
namespace {

TEST(ErrorsTest, EveryFactoryTypeIsListed) {
  const ApiError all[] = {
      ApiError::Validation("m"),
      ApiError::ResourceNotFound(),
      ApiError::ResourceInUse("m"),
      ApiError::TableNotFound("m"),
      ApiError::ConditionalCheckFailed(),
      ApiError::DuplicateItem(),
      ApiError::LimitExceeded("m"),
      ApiError::ProvisionedThroughputExceeded("m"),
      ApiError::ItemCollectionSizeLimitExceeded("m"),
      ApiError::TransactionCanceled("m"),
      ApiError::TransactionConflict("m"),
      ApiError::TransactionInProgress("m"),
      ApiError::IdempotentParameterMismatch("m"),
      ApiError::ExpiredIterator("m"),
      ApiError::TrimmedDataAccess("m"),
      ApiError::Serialization("m"),
      ApiError::UnknownOperation("X"),
      ApiError::MissingAuthenticationToken(),
      ApiError::IncompleteSignature("m"),
      ApiError::InvalidSignature("m"),
      ApiError::UnrecognizedClient(),
      ApiError::AccessDenied("m"),
      ApiError::InternalServerError(),
      ApiError::RequestEntityTooLarge(),
      ApiError::HostNotAllowed(),
      ApiError::RequestTimeout(),
      ApiError::ServiceUnavailable(),
  };
  for (const ApiError& e : all) {
    const size_t i = ErrorTypeIndex(e.type);
    ASSERT_LT(i, kErrorTypeCount) << e.type;
    EXPECT_EQ(kErrorTypes[i], e.type);
  }
}

TEST(ErrorsTest, TypesAreListedOnceAndUnknownOnesAreNot) {
  std::set<std::string_view> seen(std::begin(kErrorTypes), std::end(kErrorTypes));
  EXPECT_EQ(seen.size(), kErrorTypeCount);
  EXPECT_EQ(ErrorTypeIndex("NoSuchException"), kErrorTypeCount);
  EXPECT_EQ(ErrorTypeIndex(""), kErrorTypeCount);
}

}  // namespace
}  // namespace cairn::protocol
