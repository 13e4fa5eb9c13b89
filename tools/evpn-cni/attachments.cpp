#include "evpn-cni/attachments.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

namespace evpnd::cni {

namespace fs = std::filesystem;
using nlohmann::json;

std::string_view state_name(AttachmentState s) {
  switch (s) {
    case AttachmentState::kAdding: return "adding";
    case AttachmentState::kReady: return "ready";
    case AttachmentState::kRetractPending: return "retract-pending";
  }
  return "?";
}

json AttachmentRecord::to_json() const {
  return json{{"network", network}, {"containerID", container_id}, {"ifname", ifname}, {"vni", vni},
              {"hostVeth", host_veth}, {"bridge", bridge}, {"bridgeNetns", bridge_netns},
              {"containerNetns", container_netns}, {"mac", mac}, {"ips", ips}, {"ipamAdded", ipam_added}, {"ipamResult", ipam_result},
              {"endpointPosted", endpoint_posted}, {"socket", socket}, {"cniPath", cni_path},
              {"cniArgs", cni_args}, {"pod", pod}, {"config", config}, {"state", std::string(state_name(state))}};
}

CniResult<AttachmentRecord> AttachmentRecord::from_json(const json& j) {
  AttachmentRecord r;
  try {
    r.network = j.at("network").get<std::string>();
    r.container_id = j.at("containerID").get<std::string>();
    r.ifname = j.at("ifname").get<std::string>();
    r.vni = j.at("vni").get<uint32_t>();
    r.host_veth = j.at("hostVeth").get<std::string>();
    r.bridge = j.value("bridge", "");
    r.bridge_netns = j.value("bridgeNetns", "");
    r.container_netns = j.value("containerNetns", "");
    r.mac = j.value("mac", "");
    r.ips = j.value("ips", std::vector<std::string>{});
    r.ipam_added = j.value("ipamAdded", false);
    r.ipam_result = j.value("ipamResult", json());
    r.endpoint_posted = j.value("endpointPosted", false);
    r.socket = j.value("socket", "");
    r.cni_path = j.value("cniPath", "");
    r.cni_args = j.value("cniArgs", "");
    r.pod = j.value("pod", "");
    r.config = j.value("config", json::object());
    std::string st = j.at("state").get<std::string>();
    if (st == "adding") r.state = AttachmentState::kAdding;
    else if (st == "ready") r.state = AttachmentState::kReady;
    else if (st == "retract-pending") r.state = AttachmentState::kRetractPending;
    else return cni_fail(code::kDecode, "attachment record: unknown state \"" + st + "\"");
  } catch (const json::exception& e) {
    // nlohmann reports type/missing-key errors by exception; a record is read once per call.
    return cni_fail(code::kDecode, "attachment record is malformed", e.what());
  }
  return r;
}

AttachmentStore::Lock::~Lock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

CniResult<AttachmentStore::Lock> AttachmentStore::lock() const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return cni_fail(code::kIo, "cannot create the data directory " + dir_, ec.message());
  std::string path = dir_ + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return cni_fail(code::kIo, "cannot open " + path, std::strerror(errno));
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    return cni_fail(code::kIo, "cannot lock " + path, std::strerror(err));
  }
  return Lock(fd);
}

std::string AttachmentStore::path_of(const std::string& network, const std::string& container_id,
                                     const std::string& ifname) const {
  return dir_ + "/" + network + "/" + container_id + ":" + ifname + ".json";
}

namespace {

CniResult<AttachmentRecord> read_record(const std::string& path) {
  std::ifstream in(path);
  if (!in) return cni_fail(code::kIo, "cannot read " + path, std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return cni_fail(code::kDecode, "attachment record " + path + " is not JSON");
  auto r = AttachmentRecord::from_json(j);
  if (!r) r.error().msg += " (" + path + ")";
  return r;
}

CniResult<void> sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return cni_fail(code::kIo, "cannot open " + dir, std::strerror(errno));
  ::fsync(fd);
  ::close(fd);
  return {};
}

std::string marker_name(const std::string& network, const std::string& container_id, const std::string& ifname) {
  return network + ":" + container_id + ":" + ifname;  // ':' is in none of the three
}

}  // namespace

CniResult<std::optional<AttachmentRecord>> AttachmentStore::load(const std::string& network,
                                                                 const std::string& container_id,
                                                                 const std::string& ifname) const {
  std::string path = path_of(network, container_id, ifname);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<AttachmentRecord>();
  auto r = read_record(path);
  if (!r) return tl::unexpected(r.error());
  return std::optional<AttachmentRecord>(std::move(*r));
}

CniResult<void> AttachmentStore::save(const AttachmentRecord& r) const {
  std::string dir = dir_ + "/" + r.network;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return cni_fail(code::kIo, "cannot create " + dir, ec.message());
  std::string path = path_of(r.network, r.container_id, r.ifname);
  std::string tmp = path + ".tmp";
  std::string text = r.to_json().dump(2) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return cni_fail(code::kIo, "cannot write " + tmp, std::strerror(errno));
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return cni_fail(code::kIo, "cannot write " + tmp, std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  // Durability (fsync of the file, then of the directory after the rename) only for the resting
  // states, which must survive a node crash for GC and pending retractions. An fsync costs ~12 ms
  // here (virtio disk), six per ADD doubled the attach time; the `adding` saves only need to
  // survive a crash of this process, which the rename alone guarantees.
  const bool durable = r.state != AttachmentState::kAdding;
  // The pending marker first: a crash in between leaves a marker without a pending record,
  // which list_pending() skips, never a pending record nobody retries.
  const std::string marker = dir_ + "/.pending/" + marker_name(r.network, r.container_id, r.ifname);
  if (r.state == AttachmentState::kRetractPending) {
    fs::create_directories(dir_ + "/.pending", ec);
    int mfd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (mfd < 0) return cni_fail(code::kIo, "cannot write " + marker, std::strerror(errno));
    ::close(mfd);
  }
  if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return cni_fail(code::kIo, "cannot write " + tmp, std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return cni_fail(code::kIo, "cannot rename " + tmp, std::strerror(err));
  }
  if (r.state != AttachmentState::kRetractPending) ::unlink(marker.c_str());  // absent: fine
  return durable ? sync_dir(dir) : CniResult<void>();
}

CniResult<void> AttachmentStore::remove(const std::string& network, const std::string& container_id,
                                        const std::string& ifname) const {
  std::string path = path_of(network, container_id, ifname);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) {  // already gone (DEL is idempotent)
      ::unlink((dir_ + "/.pending/" + marker_name(network, container_id, ifname)).c_str());
      return {};
    }
    return cni_fail(code::kIo, "cannot remove " + path, std::strerror(errno));
  }
  // Not synced: a record that reappears after a node crash is removed again by DEL or GC.
  ::unlink((dir_ + "/.pending/" + marker_name(network, container_id, ifname)).c_str());
  return {};
}

std::vector<AttachmentRecord> AttachmentStore::list_pending() const {
  std::vector<AttachmentRecord> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_ + "/.pending", ec)) {
    std::string name = e.path().filename().string();
    size_t a = name.find(':'), b = name.rfind(':');
    if (a == std::string::npos || a == b) continue;
    auto r = load(name.substr(0, a), name.substr(a + 1, b - a - 1), name.substr(b + 1));
    if (r && *r && (*r)->state == AttachmentState::kRetractPending) {
      out.push_back(std::move(**r));
    } else if (r && !*r) {
      ::unlink(e.path().c_str());  // its record is gone: a stale marker
    }
  }
  return out;
}

std::vector<AttachmentRecord> AttachmentStore::list(const std::string& network) const {
  std::vector<AttachmentRecord> out;
  std::error_code ec;
  std::vector<fs::path> dirs;
  if (network.empty()) {
    for (const auto& e : fs::directory_iterator(dir_, ec))
      if (e.is_directory()) dirs.push_back(e.path());
  } else {
    dirs.push_back(fs::path(dir_) / network);
  }
  for (const auto& d : dirs) {
    std::error_code dec;
    for (const auto& e : fs::directory_iterator(d, dec)) {
      if (e.path().extension() != ".json") continue;
      auto r = read_record(e.path().string());
      if (!r) {
        std::fprintf(stderr, "evpn-cni: skipping %s: %s %s\n", e.path().c_str(), r.error().msg.c_str(),
                     r.error().details.c_str());
        continue;
      }
      out.push_back(std::move(*r));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.network, a.container_id, a.ifname) < std::tie(b.network, b.container_id, b.ifname);
  });
  return out;
}

}  // namespace evpnd::cni
