#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "load_helpers.hpp"
#include "temp_dir.hpp"
#include "ticketwatch/config/loader.hpp"

namespace ticketwatch::config {
namespace {

using test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr uid_t kNobody = 65534;

// Loads `path` in a child process running as `uid`, and returns the first error as the
// operator would see it ("ok" when it loaded). Root reads every file whatever its mode, so
// this is how a root test run still exercises a real EACCES.
std::string load_as_user(const std::filesystem::path& path, uid_t uid) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return std::string("pipe: ") + std::strerror(errno);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    std::string report;
    if (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 || ::setuid(uid) != 0) {
      report = std::string("cannot drop privileges: ") + std::strerror(errno);
    } else {
      const LoadResult result = load_file(path);
      report = result.ok() ? "ok" : result.errors().front().to_string();
    }
    const ssize_t written = ::write(pipe_fds[1], report.data(), report.size());
    ::_exit(written == static_cast<ssize_t>(report.size()) ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string report;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  return report;
}

TEST(LoadFile, ReportsAMissingFileByNameWithoutPosition) {
  const TempDir dir;
  const auto path = dir.path() / "absent.toml";
  const LoadResult result = load_file(path);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.errors(),
              ElementsAre(ConfigError{path.string(), 0, 0, "",
                                      "cannot read config file: No such file or directory"}));
  EXPECT_EQ(result.errors()[0].to_string(),
            path.string() + ": cannot read config file: No such file or directory");
}

TEST(LoadFile, ReportsADirectoryAsUnreadable) {
  const TempDir dir;
  const LoadResult result = load_file(dir.path());
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.errors(), ElementsAre(ConfigError{dir.path().string(), 0, 0, "",
                                                       "cannot read config file: Is a directory"}));
}

TEST(LoadFile, ReportsAFileItMayNotReadWithTheSystemsReason) {
  const TempDir dir;
  const auto path = dir.write("private.toml", "[daemon]\nlog_level = \"debug\"\n", 0600);
  std::string report;
  if (::geteuid() == 0) {
    // As root the mode would not stop the read: load as "nobody", which may enter the
    // directory but not read the root-owned 0600 file.
    ASSERT_EQ(::chmod(dir.path().c_str(), 0711), 0);
    report = load_as_user(path, kNobody);
  } else {
    ASSERT_EQ(::chmod(path.c_str(), 0000), 0);
    const LoadResult result = load_file(path);
    report = result.ok() ? "ok" : result.errors().front().to_string();
  }
  EXPECT_EQ(report, path.string() + ": cannot read config file: Permission denied");
}

TEST(LoadFile, ReadsAFileAndRecordsWhereItCameFrom) {
  const TempDir dir;
  const auto path = dir.write("tw.toml", "[jobs.sla-monitor]\ninterval = \"5m\"\n", 0600);
  const LoadResult result = load_file(path);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.config().source_path, path.string());
  EXPECT_EQ(result.config().sla_monitor.schedule.interval, std::chrono::minutes(5));
  EXPECT_THAT(result.warnings(), IsEmpty());
}

TEST(LoadFile, NamesTheFileInEveryError) {
  const TempDir dir;
  const auto path = dir.write("tw.toml", "[daemon]\nlog_level = 3\n", 0600);
  const LoadResult result = load_file(path);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.errors(), ElementsAre(ConfigError{path.string(), 2, 13, "daemon.log_level",
                                                       "expected a string, got integer 3"}));
}

TEST(LoadFile, WarnsWhenADsnPasswordIsReadableByOthers) {
  const TempDir dir;
  const auto path =
      dir.write("tw.toml", "[database]\ndsn = \"postgresql://tw:s3cret@db/helpdesk\"\n", 0644);
  const LoadResult result = load_file(path);
  ASSERT_TRUE(result.ok());  // a warning, not an error: the daemon still runs
  ASSERT_THAT(result.warnings(), SizeIs(1));
  EXPECT_EQ(result.warnings()[0].file, path.string());
  EXPECT_EQ(result.warnings()[0].line, 2);
  EXPECT_EQ(result.warnings()[0].column, 7);
  EXPECT_EQ(result.warnings()[0].key, "database.dsn");
  EXPECT_THAT(result.warnings()[0].message,
              HasSubstr("contains a password and the file is readable by group and others "
                        "(mode 0644)"));
}

TEST(LoadFile, WarnsAboutEveryWayOfWritingAPasswordInTheDsn) {
  const TempDir dir;
  for (const char* dsn : {"host=db dbname=helpdesk password=s3cret", "host=db PASSWORD = 's3cret'",
                          "postgres://tw:s3cret@db:5432/helpdesk",
                          "postgresql://db/helpdesk?user=tw&password=s3cret"}) {
    const auto path =
        dir.write("tw.toml", std::string("[database]\ndsn = \"") + dsn + "\"\n", 0640);
    const LoadResult result = load_file(path);
    ASSERT_TRUE(result.ok()) << dsn;
    ASSERT_THAT(result.warnings(), SizeIs(1)) << dsn;
    EXPECT_THAT(result.warnings()[0].message, HasSubstr("readable by group (mode 0640)"));
  }
}

TEST(LoadFile, DoesNotWarnWithoutAPasswordOrWhenOnlyTheOwnerCanRead) {
  const TempDir dir;
  const auto private_file =
      dir.write("private.toml", "[database]\ndsn = \"postgresql://tw:s3cret@db/helpdesk\"\n", 0600);
  EXPECT_THAT(load_file(private_file).warnings(), IsEmpty());
  for (const char* dsn : {"postgresql://tw@db/helpdesk", "host=db user=tw passfile=/etc/pgpass",
                          "postgresql:///helpdesk?host=/run/postgresql", "host=db password=''"}) {
    const auto path =
        dir.write("open.toml", std::string("[database]\ndsn = \"") + dsn + "\"\n", 0644);
    const LoadResult result = load_file(path);
    ASSERT_TRUE(result.ok()) << dsn;
    EXPECT_THAT(result.warnings(), IsEmpty()) << dsn;
  }
}

}  // namespace
}  // namespace ticketwatch::config
