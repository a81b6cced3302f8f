#include "control_listener.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "listener_common.hpp"

namespace ticketwatch::control::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using Protocol = asio::local::stream_protocol;

ControlListener::ControlListener(asio::io_context& io, std::filesystem::path path, DaemonApi& api,
                                 ControlServerOptions options)
    : io_(io),
      path_(std::move(path)),
      api_(api),
      options_(options),
      acceptor_(io),
      accept_retry_(io),
      registry_(std::make_shared<SessionRegistry>()) {}

void ControlListener::prepare_path() {
  if (path_.empty()) refuse("control socket path is empty; set [control] socket");
  if (path_.native().size() >= sizeof(sockaddr_un::sun_path)) {
    refuse(fmt::format("control socket path {} is {} bytes; the limit is {}", path_.native(),
                       path_.native().size(), sizeof(sockaddr_un::sun_path) - 1));
  }
  auto parent = path_.parent_path();
  if (parent.empty()) parent = ".";
  std::error_code fs_ec;
  if (!std::filesystem::is_directory(parent, fs_ec)) {
    refuse(fmt::format(
        "control socket directory {} does not exist (systemd's RuntimeDirectory= creates it; "
        "create it or change [control] socket)",
        parent.native()));
  }

  auto status = std::filesystem::symlink_status(path_, fs_ec);
  if (status.type() == std::filesystem::file_type::not_found) return;
  if (fs_ec) refuse(fmt::format("cannot inspect {}: {}", path_.native(), fs_ec.message()));
  if (status.type() != std::filesystem::file_type::socket) {
    refuse(fmt::format("{} exists and is not a socket; refusing to replace it", path_.native()));
  }

  // A socket file is either alive (another daemon) or left over from a crash: ask it.
  Protocol::socket probe(io_);
  error_code ec;
  probe.connect(Protocol::endpoint(path_.native()), ec);
  if (!ec) refuse(fmt::format("another ticketwatchd is listening on {}", path_.native()));
  if (ec != asio::error::connection_refused) {
    refuse(fmt::format("cannot check the existing socket {}: {}", path_.native(), ec.message()));
  }
  spdlog::info("replacing stale control socket {}", path_.native());
  std::filesystem::remove(path_, fs_ec);
  if (fs_ec) {
    refuse(fmt::format("cannot remove stale socket {}: {}", path_.native(), fs_ec.message()));
  }
}

void ControlListener::start() {
  if (listening_) return;
  prepare_path();

  error_code ec;
  acceptor_.open(Protocol(), ec);
  if (!ec) acceptor_.bind(Protocol::endpoint(path_.native()), ec);
  if (ec) {
    acceptor_.close(ec);
    refuse(fmt::format("cannot create control socket {}: {}", path_.native(), ec.message()));
  }

  struct stat st {};
  // Group members (ticketwatch) may talk to the daemon, nobody else.
  if (::chmod(path_.c_str(), 0660) != 0 || ::lstat(path_.c_str(), &st) != 0) {
    int err = errno;
    acceptor_.close(ec);
    ::unlink(path_.c_str());
    refuse(fmt::format("cannot set up control socket {}: {}", path_.native(),
                       std::generic_category().message(err)));
  }
  socket_dev_ = st.st_dev;
  socket_ino_ = st.st_ino;

  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor_.close(ec);
    unlink_own_socket();
    refuse(fmt::format("cannot listen on control socket {}: {}", path_.native(), ec.message()));
  }
  listening_ = true;
  spdlog::debug("control socket listening on {}", path_.native());
  do_accept();
}

void ControlListener::stop() {
  if (!listening_) return;
  listening_ = false;
  error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  // Closing erases from the registry, so walk a copy.
  auto sessions = registry_->sessions;
  for (auto& [id, weak] : sessions) {
    if (auto session = weak.lock()) session->close();
  }
  unlink_own_socket();
}

void ControlListener::unlink_own_socket() {
  struct stat st {};
  if (::lstat(path_.c_str(), &st) != 0) return;
  if (st.st_dev != socket_dev_ || st.st_ino != socket_ino_) {
    spdlog::warn("control socket {} was replaced by another process; leaving it", path_.native());
    return;
  }
  if (::unlink(path_.c_str()) != 0) {
    spdlog::warn("cannot remove control socket {}: {}", path_.native(),
                 std::generic_category().message(errno));
  }
}

void ControlListener::do_accept() {
  acceptor_.async_accept([self = shared_from_this()](error_code ec, Protocol::socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void ControlListener::on_accept(error_code ec, Protocol::socket socket) {
  if (!listening_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // EMFILE and friends: the listener stays, and tries again shortly.
    spdlog::warn("control socket accept failed: {}", ec.message());
    accept_retry_.expires_after(kAcceptRetryDelay);
    accept_retry_.async_wait([self = shared_from_this()](error_code wait_ec) {
      if (!wait_ec && self->listening_) self->do_accept();
    });
    return;
  }
  if (registry_->sessions.size() >= options_.max_connections) {
    reject(socket);
  } else {
    std::make_shared<ControlSession>(std::move(socket), api_, options_, registry_)->start();
  }
  do_accept();
}

// Over the connection cap: a one-line error written without waiting (it fits in the empty
// socket buffer), then close.
void ControlListener::reject(Protocol::socket& socket) {
  error_code ec;
  socket.non_blocking(true, ec);
  auto line = to_line(error_reply(fmt::format(
      "too many control connections (limit {}); try again later", options_.max_connections)));
  if (!ec) socket.write_some(asio::buffer(line), ec);
  spdlog::warn("control socket: refused a client over the limit of {} connections",
               options_.max_connections);
  socket.close(ec);
}

}  // namespace ticketwatch::control::detail
