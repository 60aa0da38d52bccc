// The --credentials file (auth/credential_file.h): its lines, its errors naming the line, and a
// reload that keeps the set in force when the new file is bad.
#include "auth/credential_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

namespace cairn::auth {
namespace {

TEST(CredentialFileTest, PairsCommentsAndBlankLines) {
  auto keys = ParseCredentials(
      "# keys for the test\n\nAKID1 secret/one+\n  \t\n\tAKID2\t\tsecret2  \r\n  # AKID3 x\nAKID4 "
      "s#4\nAKID5 s5 token/5==",
      "creds");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (KeyMap{{"AKID1", {"secret/one+", ""}},
                           {"AKID2", {"secret2", ""}},
                           {"AKID4", {"s#4", ""}},
                           {"AKID5", {"s5", "token/5=="}}}));
}

TEST(CredentialFileTest, ErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"AKID1 s1\nAKID2\n",
       "f line 2: expected ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN], found 1 fields"},
      {"# c\nAKID1 s1 token extra\n",
       "f line 2: expected ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN], found 4 fields"},
      {"AKID/1 s1\n",
       "f line 1: the access key id 'AKID/1' has characters other than letters and "
       "digits"},
      {"AKID1 s1\n\nAKID1 s2\n", "f line 3: the access key id AKID1 is given a second time"},
      {"", "f: no ACCESS_KEY_ID SECRET_ACCESS_KEY line (no caller could sign a request)"},
      {"# only a comment\n\n",
       "f: no ACCESS_KEY_ID SECRET_ACCESS_KEY line (no caller could sign a request)"},
  };
  for (const Case& c : cases) {
    auto keys = ParseCredentials(c.text, "f");
    ASSERT_FALSE(keys.ok()) << c.text;
    EXPECT_TRUE(keys.status().IsInvalidArgument());
    EXPECT_EQ(keys.status().message(), c.message);
  }
}

TEST(CredentialFileTest, ReloadKeepsTheOldSetWhenTheNewFileIsBad) {
  char path[] = "/tmp/cairn_credentials_test_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  CredentialStore store;
  EXPECT_EQ(store.Find("AKID1"), std::nullopt);
  std::ofstream(path) << "AKID1 s1\nAKID2 s2\n";
  auto loaded = store.Load(path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, 2u);
  EXPECT_EQ(store.Find("AKID1"), (Secret{"s1", ""}));
  std::ofstream(path) << "AKID1 s1\nbroken line of four\n";
  EXPECT_FALSE(store.Load(path).ok());
  EXPECT_EQ(store.Find("AKID2"), (Secret{"s2", ""}));
  EXPECT_EQ(store.size(), 2u);
  std::ofstream(path) << "AKID3 s3\n";
  ASSERT_TRUE(store.Load(path).ok());
  EXPECT_EQ(store.Find("AKID1"), std::nullopt);
  EXPECT_EQ(store.Find("AKID3"), (Secret{"s3", ""}));
  unlink(path);
  auto missing = store.Load(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot read"), std::string::npos);
  EXPECT_EQ(store.Find("AKID3"), (Secret{"s3", ""}));
}

}  // namespace
}  // namespace cairn::auth
