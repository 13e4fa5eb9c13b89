#include "cni_netns_fixture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <thread>

namespace evpnd::cni::test {

std::string thread_netns() {
  struct stat st{};
  if (stat("/proc/thread-self/ns/net", &st) < 0) return "?";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

PathNetns::PathNetns() {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls (the parent has threads).
    char ok = unshare(CLONE_NEWNET) == 0 ? 1 : 0;
    if (write(p[1], &ok, 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(p[1]);
  char ok = 0;
  if (pid > 0 && read(p[0], &ok, 1) == 1 && ok) pid_ = pid;
  else if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  close(p[0]);
}

PathNetns::~PathNetns() { kill_now(); }

void PathNetns::kill_now() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int PathNetns::exec(const std::string& cmd, std::string* out) const {
  return sh("nsenter --net=" + path() + " " + cmd, out);
}

Capture::Capture(const std::string& netns_path, const std::string& dev) {
  // The socket is made by a thread that enters the namespace and ends there (the test's own
  // threads stay where they are); the socket stays bound to the namespace it was created in.
  std::thread t([&] {
    int ns = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0) return;
    if (setns(ns, CLONE_NEWNET) == 0) {
      int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
      sockaddr_ll sll{};
      sll.sll_family = AF_PACKET;
      sll.sll_protocol = htons(ETH_P_ALL);
      sll.sll_ifindex = static_cast<int>(if_nametoindex(dev.c_str()));
      if (fd >= 0 && sll.sll_ifindex > 0 && bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) == 0) fd_ = fd;
      else if (fd >= 0) close(fd);
    }
    close(ns);
  });
  t.join();
}

Capture::~Capture() {
  if (fd_ >= 0) close(fd_);
}

std::vector<Bytes> Capture::read_for(std::chrono::milliseconds d) {
  std::vector<Bytes> out;
  std::array<uint8_t, 2048> buf;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(d.count())) <= 0) return out;
    sockaddr_ll from{};
    socklen_t len = sizeof from;
    ssize_t n;
    while ((n = recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len)) > 0) {
      if (from.sll_pkttype != PACKET_OUTGOING) out.emplace_back(buf.data(), buf.data() + n);
      len = sizeof from;
    }
  }
}

}  // namespace evpnd::cni::test
