#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "ticketwatch/db/connection.hpp"

namespace ticketwatch::db {
namespace {

namespace fs = std::filesystem;

// A scratch directory and CREDENTIALS_DIRECTORY cleared for the test's duration. ctest runs each
// test in its own process, so changing the environment cannot leak into another test.
class SettingsFrom : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tw_settings_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    ::unsetenv("CREDENTIALS_DIRECTORY");
  }
  void TearDown() override {
    ::unsetenv("CREDENTIALS_DIRECTORY");
    fs::remove_all(dir_);
  }
  fs::path write(const std::string& name, const std::string& contents) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }
  fs::path dir_;
};

TEST_F(SettingsFrom, CopiesTheDsnAndTimeoutAndLeavesThePasswordEmptyWhenNoneIsConfigured) {
  config::DatabaseConfig database;
  database.dsn = "postgresql://db/helpdesk";
  database.connect_timeout = std::chrono::seconds(9);
  const auto settings = settings_from(database);
  EXPECT_EQ(settings.dsn, "postgresql://db/helpdesk");
  EXPECT_EQ(settings.connect_timeout, std::chrono::seconds(9));
  EXPECT_EQ(settings.password, "");
  EXPECT_EQ(settings.application_name, "ticketwatchd");
}

TEST_F(SettingsFrom, ReadsThePasswordFileAndDropsOneTrailingNewline) {
  config::DatabaseConfig database;
  database.password_file = write("password", "s3cret \n\n").string();
  EXPECT_EQ(settings_from(database).password, "s3cret \n");
  database.password_file = write("crlf", "s3cret\r\n").string();
  EXPECT_EQ(settings_from(database).password, "s3cret");
  database.password_file = write("bare", "s3cret").string();
  EXPECT_EQ(settings_from(database).password, "s3cret");
}

TEST_F(SettingsFrom, NamesTheFileWhenThePasswordFileCannotBeRead) {
  config::DatabaseConfig database;
  database.password_file = (dir_ / "missing").string();
  try {
    settings_from(database);
    FAIL() << "a missing password file was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(database.password_file), std::string::npos)
        << error.what();
  }
}

TEST_F(SettingsFrom, ReadsTheSystemdCredentialWhenNoPasswordFileIsSet) {
  write("db-password", "fromcredential\n");
  ::setenv("CREDENTIALS_DIRECTORY", dir_.c_str(), 1);
  EXPECT_EQ(settings_from(config::DatabaseConfig{}).password, "fromcredential");
}

TEST_F(SettingsFrom, PrefersThePasswordFileOverTheSystemdCredential) {
  write("db-password", "fromcredential\n");
  ::setenv("CREDENTIALS_DIRECTORY", dir_.c_str(), 1);
  config::DatabaseConfig database;
  database.password_file = write("password", "fromfile\n").string();
  EXPECT_EQ(settings_from(database).password, "fromfile");
}

TEST_F(SettingsFrom, IgnoresACredentialsDirectoryWithoutTheDbPassword) {
  ::setenv("CREDENTIALS_DIRECTORY", dir_.c_str(), 1);
  EXPECT_EQ(settings_from(config::DatabaseConfig{}).password, "");
}

}  // namespace
}  // namespace ticketwatch::db
