#include "daemon/runtime_state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace evpnd::daemon {
namespace {

using nlohmann::json;
tl::unexpected<std::string> bad(std::string why) { return tl::unexpected(std::move(why)); }

}  // namespace

json runtime_state_json(const RuntimeState& s) {
  json vnis = json::array(), eps = json::array();
  for (const auto& [vni, v] : s.vnis)
    vnis.push_back({{"vni", vni}, {"spec", v.spec}, {"attachments", v.attachments}});
  for (const auto& [key, e] : s.endpoints) {
    json ips = json::array();
    for (const auto& ip : e.ips) ips.push_back(ip.to_string());
    eps.push_back({{"vni", e.vni}, {"mac", e.mac.to_string()}, {"ips", ips}, {"interface", e.interface},
                   {"attachment", e.attachment}});
  }
  return {{"version", 1}, {"vnis", vnis}, {"endpoints", eps}};
}

tl::expected<RuntimeState, std::string> runtime_state_from_json(const json& j) {
  if (!j.is_object() || j.value("version", 0) != 1) return bad("not a version 1 runtime state");
  RuntimeState s;
  auto vni_of = [](const json& o) -> std::optional<Vni> {
    if (!o.contains("vni") || !o["vni"].is_number_unsigned()) return std::nullopt;
    const auto v = o["vni"].get<uint64_t>();
    if (v == 0 || v > 0xFFFFFF) return std::nullopt;
    return Vni(v);
  };
  for (const auto& o : j.value("vnis", json::array())) {
    auto vni = vni_of(o);
    if (!vni) return bad("vnis: an entry without a valid vni");
    RuntimeVni v{*vni, o.value("spec", json::object()), {}};
    if (!v.spec.is_object()) return bad("vnis: vni " + std::to_string(*vni) + ": spec is not an object");
    for (const auto& a : o.value("attachments", json::array())) {
      if (!a.is_string()) return bad("vnis: vni " + std::to_string(*vni) + ": an attachment is not a string");
      v.attachments.insert(a.get<std::string>());
    }
    s.vnis[*vni] = std::move(v);
  }
  for (const auto& o : j.value("endpoints", json::array())) {
    auto vni = vni_of(o);
    if (!vni) return bad("endpoints: an entry without a valid vni");
    auto mac = Mac::parse(o.value("mac", ""));
    if (!mac) return bad("endpoints: vni " + std::to_string(*vni) + ": invalid mac");
    RuntimeEndpoint e{*vni, *mac, {}, o.value("interface", ""), o.value("attachment", "")};
    for (const auto& ip : o.value("ips", json::array())) {
      auto a = ip.is_string() ? IpAddress::parse(ip.get<std::string>()) : std::nullopt;
      if (!a) return bad("endpoints: " + mac->to_string() + ": invalid ip " + ip.dump());
      e.ips.push_back(*a);
    }
    s.endpoints[{*vni, *mac}] = std::move(e);
  }
  return s;
}

std::string runtime_state_path(const std::string& state_dir) { return state_dir + "/runtime.json"; }

tl::expected<RuntimeState, std::string> load_runtime_state(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return RuntimeState{};
  std::ifstream in(path);
  if (!in) return bad(path + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded()) return bad(path + ": not valid JSON");
  auto s = runtime_state_from_json(j);
  if (!s) return bad(path + ": " + s.error());
  return s;
}

tl::expected<void, std::string> save_runtime_state(const std::string& path, const RuntimeState& s) {
  const std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  if (ec) return bad(p.parent_path().string() + ": " + ec.message());
  const std::string tmp = path + ".tmp";
  const std::string text = runtime_state_json(s).dump(1) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return bad(tmp + ": " + std::strerror(errno));
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return bad(tmp + ": " + std::strerror(err));
    }
    done += size_t(n);
  }
  if (::close(fd) != 0) {  // no fsync: see NOTE durability in the header
    ::unlink(tmp.c_str());
    return bad(tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return bad(path + ": " + std::strerror(err));
  }
  return {};
}

}  // namespace evpnd::daemon
