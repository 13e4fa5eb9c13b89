// AttachmentStore: the plugin's own memory between invocations — one JSON record per
// attachment, keyed by (network name, container id, ifname) as the spec keys attachments
// (SPEC.md §"Section 2": "(CNI_CONTAINERID, CNI_IFNAME) ... within a network"). Records let DEL
// undo an ADD without prevResult or netns, let GC (spec 1.1) find what it must remove, let a
// retried ADD converge after a crash, and keep the evpnd retractions a DEL could not do while
// evpnd was down (state kRetractPending; retried by every later invocation).
//
// Layout: <dataDir>/<network>/<container id>:<ifname>.json (names are checked by
// valid_identifier/valid_ifname, so they are safe path components; ':' is in neither).
// Writes are atomic (temp file, rename): a crash leaves the old record or the new one, never a
// torn one. Records in a resting state (ready, retract-pending) are also fsync'd (file and
// directory) so they survive a node crash; `adding` ones are not (see save()). <dataDir>/lock
// serialises invocations (flock).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "evpn-cni/cni_error.hpp"

namespace evpnd::cni {

enum class AttachmentState : uint8_t {
  kAdding,          // ADD is under way (or crashed): parts may exist
  kReady,           // ADD completed
  kRetractPending,  // DEL did the local part; evpnd's endpoint/VNI release still owed
};
std::string_view state_name(AttachmentState s);

struct AttachmentRecord {
  std::string network, container_id, ifname;
  uint32_t vni = 0;
  std::string host_veth, bridge, bridge_netns, container_netns;
  std::string mac;                 // container side; "" until the veth exists
  std::vector<std::string> ips;    // "10.1.0.5/24"
  bool ipam_added = false;         // IPAM ADD ran (so DEL owes an IPAM DEL)
  nlohmann::json ipam_result;      // its Result (null until it answered): a retried ADD reuses it
  bool endpoint_posted = false;
  std::string socket;              // evpnd's socket at ADD time (pending retractions use it)
  std::string cni_path, cni_args;  // to repeat the IPAM DEL from GC / pending work
  std::string pod;                 // "<K8S_POD_NAMESPACE>/<K8S_POD_NAME>" when the runtime said (operators)
  nlohmann::json config;           // the network configuration (stdin) of the ADD, prevResult removed
  AttachmentState state = AttachmentState::kAdding;

  // evpnd's attachment id: "<network>/<container id>/<ifname>" (docs/API.md).
  std::string attachment_id() const { return network + "/" + container_id + "/" + ifname; }
  nlohmann::json to_json() const;
  static CniResult<AttachmentRecord> from_json(const nlohmann::json& j);
};

class AttachmentStore {
 public:
  explicit AttachmentStore(std::string data_dir) : dir_(std::move(data_dir)) {}

  // Takes the store's lock (blocking) for the life of the returned handle; creates dataDir.
  class Lock {
   public:
    explicit Lock(int fd) : fd_(fd) {}
    Lock(Lock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Lock& operator=(Lock&&) = delete;
    ~Lock();
   private:
    int fd_;
  };
  CniResult<Lock> lock() const;

  CniResult<std::optional<AttachmentRecord>> load(const std::string& network, const std::string& container_id,
                                                  const std::string& ifname) const;
  CniResult<void> save(const AttachmentRecord& r) const;
  CniResult<void> remove(const std::string& network, const std::string& container_id,
                         const std::string& ifname) const;
  // Every record of `network` ("" = of every network). Unreadable files are reported on
  // stderr and skipped (one bad file must not block GC of the others).
  std::vector<AttachmentRecord> list(const std::string& network = {}) const;
  // The retract-pending records only, found through markers in <dataDir>/.pending/ (one empty
  // file per pending record, kept by save()/remove()): every invocation looks for them, so this
  // must not read every record of a node with a hundred pods.
  std::vector<AttachmentRecord> list_pending() const;

  const std::string& dir() const { return dir_; }
  std::string path_of(const std::string& network, const std::string& container_id, const std::string& ifname) const;

 private:
  std::string dir_;
};

}  // namespace evpnd::cni
