// libbpf layer of the ES filters: see es_filter_bpf.hpp.
#include "dataplane/linux/es_filter_bpf.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "dataplane/linux/bpf/es_filter_abi.h"

extern "C" {
extern const unsigned char evpnd_es_filter_obj[];
extern const unsigned long evpnd_es_filter_obj_len;
}

namespace evpnd::dataplane::bpf {
namespace {

std::string g_libbpf_log;  // data-plane thread only (see NetnsScope)

int libbpf_log(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, fmt, args);
  if (g_libbpf_log.size() < 16384) g_libbpf_log += buf;
  return n;
}

void init_libbpf() {
  static std::once_flag once;
  std::call_once(once, [] { libbpf_set_print(libbpf_log); });
}

// libbpf's option structs: zeroed (padding too; libbpf checks unknown trailing bytes) with `sz`
// set. LIBBPF_OPTS does the same with a GNU statement expression, which -Wpedantic refuses.
template <class T>
T opts() {
  T o;
  std::memset(&o, 0, sizeof o);
  o.sz = sizeof o;
  return o;
}

bpf_tc_hook hook_of(int ifindex, Hook hook) {
  auto h = opts<bpf_tc_hook>();
  h.ifindex = ifindex;
  h.attach_point = hook == Hook::kIngress ? BPF_TC_INGRESS : BPF_TC_EGRESS;
  return h;
}

bpf_tc_opts ours() {
  auto o = opts<bpf_tc_opts>();
  o.handle = kTcHandle;
  o.priority = kTcPriority;
  return o;
}

DataplaneError bpf_error(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  if (!g_libbpf_log.empty()) msg += " (" + last_libbpf_message() + ")";
  return DataplaneError{err, msg};
}

// Opens the embedded object; `maps` complete -> its maps reuse those fds.
tl::expected<bpf_object*, DataplaneError> open_object(const Maps& maps) {
  init_libbpf();
  g_libbpf_log.clear();
  auto oo = opts<bpf_object_open_opts>();
  oo.object_name = "esf";
  bpf_object* obj = bpf_object__open_mem(evpnd_es_filter_obj, evpnd_es_filter_obj_len, &oo);
  if (!obj) return tl::make_unexpected(bpf_error("open BPF object", errno));
  if (maps.complete()) {
    const std::pair<const char*, int> reuse[] = {{"es_vteps", maps.vteps.get()},
                                                 {"es_udp_ports", maps.udp_ports.get()},
                                                 {"es_ports", maps.ports.get()},
                                                 {"es_stats", maps.stats.get()}};
    for (auto [name, fd] : reuse) {
      bpf_map* m = bpf_object__find_map_by_name(obj, name);
      if (!m || bpf_map__reuse_fd(m, fd) != 0) {
        int err = errno ? errno : EINVAL;
        bpf_object__close(obj);
        return tl::make_unexpected(bpf_error(std::string("reuse map ") + name, err));
      }
    }
  }
  return obj;
}

// The program's name and the ids of the maps it uses.
bool prog_info(int prog_fd, std::string& name, std::vector<uint32_t>& map_ids) {
  uint32_t ids[16] = {};
  bpf_prog_info info{};
  info.nr_map_ids = 16;
  info.map_ids = reinterpret_cast<uint64_t>(ids);
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0) return false;
  name = info.name;
  map_ids.assign(ids, ids + std::min<uint32_t>(info.nr_map_ids, 16));
  return true;
}

}  // namespace

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}
Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

std::string last_libbpf_message() {
  // The verifier log can be long: its end says why.
  std::string s = g_libbpf_log;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.size() > 600 ? "..." + s.substr(s.size() - 600) : s;
}

tl::expected<NetnsScope, DataplaneError> NetnsScope::enter(const NetnsName& name) {
  NetnsScope s;
  if (name.empty()) return s;  // the data-plane thread lives in our own namespace
  auto self = nl::NetnsFd::open("");
  if (!self) return tl::make_unexpected(self.error());
  auto target = nl::NetnsFd::open(name);
  if (!target) return tl::make_unexpected(target.error());
  if (setns(target->fd(), CLONE_NEWNET) < 0)
    return tl::make_unexpected(DataplaneError{errno, "setns " + name + ": " + std::strerror(errno)});
  s.self_ = std::move(*self);
  s.entered_ = true;
  return s;
}

NetnsScope::~NetnsScope() {
  // Cannot return to our own namespace: every later socket would be wrong. Broken invariant.
  if (entered_ && setns(self_.fd(), CLONE_NEWNET) < 0) std::abort();
}

std::vector<uint8_t> es_filter_object() {
  return {evpnd_es_filter_obj, evpnd_es_filter_obj + evpnd_es_filter_obj_len};
}

tl::expected<Fd, DataplaneError> load_base(Maps& maps) {
  auto obj = open_object(maps);
  if (!obj) return tl::make_unexpected(obj.error());
  bpf_program* p;
  bpf_object__for_each_program(p, *obj) bpf_program__set_autoload(p, std::strcmp(bpf_program__name(p), "es_tagger") == 0);
  if (int err = bpf_object__load(*obj)) {
    bpf_object__close(*obj);
    return tl::make_unexpected(bpf_error("load BPF tagger", -err));
  }
  Fd tagger(dup(bpf_program__fd(bpf_object__find_program_by_name(*obj, "es_tagger"))));
  if (!maps.complete()) {
    maps.vteps = Fd(dup(bpf_map__fd(bpf_object__find_map_by_name(*obj, "es_vteps"))));
    maps.udp_ports = Fd(dup(bpf_map__fd(bpf_object__find_map_by_name(*obj, "es_udp_ports"))));
    maps.ports = Fd(dup(bpf_map__fd(bpf_object__find_map_by_name(*obj, "es_ports"))));
    maps.stats = Fd(dup(bpf_map__fd(bpf_object__find_map_by_name(*obj, "es_stats"))));
    bpf_map_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(maps.ports.get(), &info, &len) == 0) maps.ports_id = info.id;
  }
  bpf_object__close(*obj);  // our dups (and later the tc filters) keep everything alive
  if (!tagger || !maps.complete()) return tl::make_unexpected(DataplaneError{EBADF, "BPF object without its maps"});
  return tagger;
}

tl::expected<std::pair<Fd, Fd>, DataplaneError> load_port(const Maps& maps, uint32_t slot) {
  auto obj = open_object(maps);
  if (!obj) return tl::make_unexpected(obj.error());
  bpf_program* p;
  bpf_object__for_each_program(p, *obj) bpf_program__set_autoload(p, std::strncmp(bpf_program__name(p), "es_port_", 8) == 0);
  bpf_map* ro = bpf_object__find_map_by_name(*obj, ".rodata");
  if (!ro || bpf_map__set_initial_value(ro, &slot, sizeof slot) != 0) {
    bpf_object__close(*obj);
    return tl::make_unexpected(DataplaneError{EINVAL, "BPF object: no .rodata es_slot"});
  }
  if (int err = bpf_object__load(*obj)) {
    bpf_object__close(*obj);
    return tl::make_unexpected(bpf_error("load BPF port filter", -err));
  }
  Fd eg(dup(bpf_program__fd(bpf_object__find_program_by_name(*obj, "es_port_egress"))));
  Fd in(dup(bpf_program__fd(bpf_object__find_program_by_name(*obj, "es_port_ingress"))));
  bpf_object__close(*obj);
  return std::pair{std::move(eg), std::move(in)};
}

namespace {

struct MapMeta {
  std::string name;
  uint32_t key_size = 0, value_size = 0, max_entries = 0;
};

std::optional<MapMeta> map_meta(int fd, uint32_t* id = nullptr) {
  bpf_map_info info{};
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return std::nullopt;
  if (id) *id = info.id;
  return MapMeta{info.name, info.key_size, info.value_size, info.max_entries};
}

}  // namespace

bool adopt_maps(uint32_t id, Maps& maps) {
  Fd prog(bpf_prog_get_fd_by_id(id));
  std::string name;
  std::vector<uint32_t> map_ids;
  if (!prog || !prog_info(prog.get(), name, map_ids)) return false;
  Maps m;
  for (uint32_t mid : map_ids) {
    Fd fd(bpf_map_get_fd_by_id(mid));
    if (!fd) continue;
    uint32_t got_id = 0;
    auto meta = map_meta(fd.get(), &got_id);
    if (!meta) continue;
    // Adopt only the layouts this build was compiled with; anything else is replaced.
    if (meta->name == "es_vteps" && meta->key_size == sizeof(es_vtep_key) && meta->value_size == 4)
      m.vteps = std::move(fd);
    else if (meta->name == "es_udp_ports" && meta->key_size == 2 && meta->value_size == 1)
      m.udp_ports = std::move(fd);
    else if (meta->name == "es_ports" && meta->value_size == sizeof(es_port) && meta->max_entries == ES_MAX_SLOTS)
      m.ports = std::move(fd), m.ports_id = got_id;
    else if (meta->name == "es_stats" && meta->value_size == 8 && meta->max_entries == ES_MAX_SLOTS * ES_REASONS)
      m.stats = std::move(fd);
  }
  if (!m.complete()) return false;
  maps = std::move(m);
  return true;
}

int tc_attach(int ifindex, Hook hook, int prog_fd, std::string& why) {
  init_libbpf();
  g_libbpf_log.clear();
  auto h = hook_of(ifindex, hook);
  int err = bpf_tc_hook_create(&h);  // the clsact qdisc; -EEXIST when it is there already
  if (err && err != -EEXIST) return why = "create clsact: " + std::string(std::strerror(-err)), -err;
  auto o = ours();
  o.prog_fd = prog_fd;
  o.flags = BPF_TC_F_REPLACE;
  err = bpf_tc_attach(&h, &o);
  if (err) return why = "attach tc filter: " + std::string(std::strerror(-err)), -err;
  return 0;
}

int tc_detach(int ifindex, Hook hook) {
  auto h = hook_of(ifindex, hook);
  auto o = ours();
  int err = bpf_tc_detach(&h, &o);
  return err == -ENOENT || err == -EINVAL || err == -ENODEV ? 0 : -err;
}

std::optional<Attached> tc_query(int ifindex, Hook hook) {
  auto h = hook_of(ifindex, hook);
  auto o = ours();
  if (bpf_tc_query(&h, &o) != 0 || o.prog_id == 0) return std::nullopt;
  Attached a;
  a.prog_id = o.prog_id;
  Fd prog(bpf_prog_get_fd_by_id(o.prog_id));
  if (!prog) return a;
  if (!prog_info(prog.get(), a.name, a.map_ids)) return a;
  for (uint32_t mid : a.map_ids) {
    Fd m(bpf_map_get_fd_by_id(mid));
    if (!m) continue;
    auto meta = map_meta(m.get());
    if (!meta || meta->name.find(".rodata") == std::string::npos || meta->value_size < 4) continue;
    std::vector<uint8_t> val(meta->value_size);
    uint32_t key = 0;
    if (bpf_map_lookup_elem(m.get(), &key, val.data()) == 0) {
      uint32_t slot;
      std::memcpy(&slot, val.data(), 4);
      a.slot = slot;
    }
  }
  return a;
}

uint32_t prog_id(int prog_fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof info;
  return bpf_obj_get_info_by_fd(prog_fd, &info, &len) == 0 ? info.id : 0;
}

}  // namespace evpnd::dataplane::bpf
