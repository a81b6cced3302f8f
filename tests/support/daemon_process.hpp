#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ticketwatch::testing {

// A temporary directory removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& path, const std::string& text);
std::string read_file(const std::filesystem::path& path);

// A real child process (the built ticketwatchd or ticketwatchctl) with extra environment
// variables, stdout and stderr captured to files. Killed with SIGKILL if still running when
// destroyed, so a failing test never leaves a daemon behind.
class ChildProcess {
 public:
  ChildProcess(std::string program, std::vector<std::string> args,
               std::map<std::string, std::string> env, const std::filesystem::path& output_dir);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signo) const;
  // The exit code (or 128 + signal), or nullopt if it did not exit in time.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  std::string stdout_text() const;
  std::string stderr_text() const;
  // Polls stderr until it contains `needle` (true) or the timeout passes (false).
  bool wait_for_stderr(const std::string& needle, std::chrono::milliseconds timeout) const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
};

// Runs a program to completion: {exit code, stdout, stderr}.
struct Completed {
  int exit_code;
  std::string out;
  std::string err;
};
// The lines of a program's output, without their newlines.
std::vector<std::string> lines_of(const std::string& text);

Completed run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Counts non-overlapping occurrences of `needle` in `text`.
std::size_t count_occurrences(const std::string& text, const std::string& needle);

}  // namespace ticketwatch::testing
