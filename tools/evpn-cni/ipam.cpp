#include "evpn-cni/ipam.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace evpnd::cni {

using nlohmann::json;

CniResult<std::string> find_plugin(const std::string& type, const std::string& cni_path) {
  std::string_view rest = cni_path;
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    if (dir.empty()) continue;
    std::string path = dir + "/" + type;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0) return path;
  }
  return cni_fail(code::kIpamFailed, "IPAM plugin \"" + type + "\" not found",
                  "searched CNI_PATH=" + (cni_path.empty() ? std::string("(empty)") : cni_path));
}

CniResult<ExecOutput> exec_plugin(const std::string& path, const Environment& env, std::string_view stdin_text) {
  // Everything the child needs is built before fork: between fork and exec only
  // async-signal-safe calls (the test process has threads).
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string path_copy = path;
  char* argv[] = {path_copy.data(), nullptr};

  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return cni_fail(code::kIpamFailed, "cannot run " + path, std::strerror(errno));
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    int err = errno;
    ::close(in_pipe[0]), ::close(in_pipe[1]);
    return cni_fail(code::kIpamFailed, "cannot run " + path, std::strerror(err));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
    return cni_fail(code::kIpamFailed, "cannot run " + path, std::strerror(err));
  }
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::execve(path_copy.c_str(), argv, envp.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  // A child that exits without reading stdin must not kill us with SIGPIPE.
  struct sigaction ign {}, old {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, &old);

  ExecOutput result;
  size_t written = 0;
  int wfd = in_pipe[1], rfd = out_pipe[0];
  if (stdin_text.empty()) ::close(wfd), wfd = -1;
  char buf[4096];
  while (rfd >= 0) {
    pollfd fds[2] = {{rfd, POLLIN, 0}, {wfd, POLLOUT, 0}};
    int n = ::poll(fds, wfd >= 0 ? 2 : 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (wfd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::write(wfd, stdin_text.data() + written, stdin_text.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EINTR && errno != EAGAIN) written = stdin_text.size();
      if (written >= stdin_text.size()) ::close(wfd), wfd = -1;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = ::read(rfd, buf, sizeof buf);
      if (r > 0) result.out.append(buf, static_cast<size_t>(r));
      else if (r == 0 || (errno != EINTR && errno != EAGAIN)) ::close(rfd), rfd = -1;
    }
  }
  if (wfd >= 0) ::close(wfd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::sigaction(SIGPIPE, &old, nullptr);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (result.exit_code == 127 && result.out.empty())
    return cni_fail(code::kIpamFailed, "cannot execute " + path, "exit status 127");
  return result;
}

IpamDelegate::IpamDelegate(json net_config, Environment env) : config_(std::move(net_config)), env_(std::move(env)) {
  if (config_.contains("ipam") && config_["ipam"].is_object() && config_["ipam"].contains("type") &&
      config_["ipam"]["type"].is_string())
    type_ = config_["ipam"]["type"].get<std::string>();
}

CniResult<ExecOutput> IpamDelegate::run(std::string_view command) const {
  auto cni_path = env_.find("CNI_PATH");
  auto path = find_plugin(type_, cni_path == env_.end() ? std::string() : cni_path->second);
  if (!path) return tl::unexpected(path.error());
  Environment env = env_;
  env["CNI_COMMAND"] = std::string(command);
  auto out = exec_plugin(*path, env, config_.dump());
  if (!out) return out;
  if (out->exit_code != 0) {
    json j = json::parse(out->out, nullptr, false);
    if (auto e = CniError::from_json(j)) {
      // The delegate's own error is the answer (spec §"Plugin Delegation"); say who spoke.
      e->msg = "IPAM " + type_ + " " + std::string(command) + ": " + e->msg;
      return tl::unexpected(*e);
    }
    return cni_fail(code::kIpamFailed, "IPAM " + type_ + " " + std::string(command) + " failed",
                    "exit status " + std::to_string(out->exit_code) + (out->out.empty() ? "" : ": " + out->out));
  }
  return out;
}

CniResult<Result> IpamDelegate::add() const {
  auto out = run("ADD");
  if (!out) return tl::unexpected(out.error());
  json j = json::parse(out->out, nullptr, false);
  if (j.is_discarded())
    return cni_fail(code::kIpamFailed, "IPAM " + type_ + " ADD printed no JSON result", out->out);
  auto r = parse_result(j);
  if (!r) {
    r.error().msg = "IPAM " + type_ + " ADD: " + r.error().msg;
    return r;
  }
  // An IPAM result has no interfaces; the plugin fills them and the indexes in.
  r->interfaces.clear();
  for (auto& ip : r->ips) ip.interface.reset();
  return r;
}

CniResult<void> IpamDelegate::del() const {
  auto out = run("DEL");
  if (!out) return tl::unexpected(out.error());
  return {};
}

CniResult<void> IpamDelegate::check() const {
  auto out = run("CHECK");
  if (!out) return tl::unexpected(out.error());
  return {};
}

CniResult<void> IpamDelegate::gc() const {
  auto out = run("GC");
  if (!out) return tl::unexpected(out.error());
  return {};
}

Result static_result(const std::vector<StaticIp>& ips, const std::vector<IfAddress>& gateways) {
  Result r;
  for (const auto& s : ips) {
    uint8_t len = s.address.is_v4() ? 32 : 128;
    if (s.prefix_len) {
      len = *s.prefix_len;
    } else {
      for (const auto& g : gateways)
        if (g.address.family() == s.address.family()) len = g.prefix_len;
    }
    r.ips.push_back(ResultIp{IfAddress{s.address, len}, std::nullopt, std::nullopt});
  }
  return r;
}

}  // namespace evpnd::cni
