// Thin libbpf layer for the ES filters (es_filter.hpp): the embedded BPF object, loading it with
// shared maps, tc attach/query/detach in a namespace, and reading back what a previous evpnd
// process left attached (adoption after an `on-stop: keep` restart).
//
// NOTE namespaces: tc hooks are addressed by ifindex over rtnetlink in the *current* namespace,
// so every tc call here runs inside a NetnsScope (setns on this thread; the data-plane thread is
// the only caller, as for NlSocket). BPF maps and programs are global objects: one set of maps
// serves every namespace.
// NOTE lifetime: a tc filter holds its program, and a program its maps; nothing here is pinned.
// When evpnd exits the filters keep working with the state last written to the maps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "dataplane/dataplane.hpp"
#include "dataplane/linux/nl_socket.hpp"

namespace evpnd::dataplane::bpf {

// The clang-built object (generated es_filter_object.c).
std::vector<uint8_t> es_filter_object();

// tc filter identity of our programs on every hook we use (cls_bpf, direct-action).
inline constexpr uint32_t kTcHandle = 0xE5F;
inline constexpr uint32_t kTcPriority = 16;

enum class Hook : uint8_t { kIngress, kEgress };

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// setns() into `name` for the lifetime of the scope ("" = the process's own namespace).
class NetnsScope {
 public:
  static tl::expected<NetnsScope, DataplaneError> enter(const NetnsName& name);
  NetnsScope(NetnsScope&& o) noexcept : self_(std::move(o.self_)), entered_(std::exchange(o.entered_, false)) {}
  NetnsScope& operator=(NetnsScope&&) = delete;
  ~NetnsScope();

 private:
  NetnsScope() = default;
  nl::NetnsFd self_;
  bool entered_ = false;
};

// The four shared maps (es_filter_abi.h).
struct Maps {
  Fd vteps, udp_ports, ports, stats;
  uint32_t ports_id = 0;  // kernel id of `ports`: tells our programs from a stale object's
  bool complete() const { return vteps && udp_ports && ports && stats; }
};

// What is attached at one hook under our handle/priority.
struct Attached {
  uint32_t prog_id = 0;
  std::string name;                    // program name ("es_port_egress")
  std::vector<uint32_t> map_ids;
  std::optional<uint32_t> slot;        // its .rodata es_slot, when it has one
};

// Creates (or adopts, when `adopt` is complete) the maps and loads the tagger. Returns the
// tagger's program fd; `maps` is filled with the maps in use.
tl::expected<Fd, DataplaneError> load_base(Maps& maps);
// Loads the port programs for `slot` against `maps`: [0] es_port_egress, [1] es_port_ingress.
tl::expected<std::pair<Fd, Fd>, DataplaneError> load_port(const Maps& maps, uint32_t slot);
// Fills `maps` from a program that uses them (adoption); false if it does not use all four
// with the layouts this build expects.
bool adopt_maps(uint32_t prog_id, Maps& maps);

// In the current namespace (inside a NetnsScope).
int tc_attach(int ifindex, Hook hook, int prog_fd, std::string& why);  // replace: no gap
int tc_detach(int ifindex, Hook hook);                                  // absent = 0
std::optional<Attached> tc_query(int ifindex, Hook hook);
uint32_t prog_id(int prog_fd);

// The libbpf messages of the last failed call (the verifier log on a refused program).
std::string last_libbpf_message();

}  // namespace evpnd::dataplane::bpf
