// Arbitrary HTTP requests to the emulator's routes: the input is sent as raw bytes over a
// loopback socket to one emulator started per process (queue submit/status/result/cancel, storage
// initiate and part PUTs, result files, request history, pricing), and the answer read until the
// server closes. The emulator must answer or close; a crash, a sanitizer report or a request that
// holds it past the read timeout is a finding. Its Authorization check is off so that every
// route is reached (the check itself is one header lookup).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "emulator/emulator.h"

namespace {

const std::filesystem::path& storage_dir() {
  static const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("omnicut-fuzz-emulator-" + std::to_string(::getpid()));
  return dir;
}

// Never stopped: stopping waits for its jobs, and the process ends anyway; its storage goes.
omnicut::emulator::Emulator& emulator() {
  static omnicut::emulator::Emulator* e = [] {
    std::filesystem::create_directories(storage_dir());
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(storage_dir(), ec);
    });
    omnicut::emulator::Options o;
    o.require_key = false;
    o.storage_dir = storage_dir().string();
    auto* started = new omnicut::emulator::Emulator(o);
    started->start();
    return started;
  }();
  return *e;
}

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) std::abort();
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
  return fd;
}

// Sends everything, says it is done, and reads until the server closes. Aborts (a finding) when
// the server neither answers nor closes within the timeout.
void exchange(int fd, const uint8_t* data, size_t size) {
  for (size_t sent = 0; sent < size;) {
    ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server closed early: a refusal, not a finding
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  char buffer[16384];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) return;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        std::fprintf(stderr, "the emulator held the connection for 10 s without closing it\n");
        std::abort();
      }
      return;  // reset by the server
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = connect_to(emulator().port());
  exchange(fd, data, size);
  ::close(fd);
  return 0;
}
