// Result: what ADD prints and what prevResult / an IPAM plugin's output carries (SPEC.md
// §"Success" / "ADD Success"). One model, encoded in the shape of each supported version:
//   0.3.0, 0.3.1, 0.4.0: ips[] carry "version": "4" | "6" (spec 0.3.x/0.4.0 §"Result");
//   1.0.0: "version" dropped from ips[];
//   1.1.0: interfaces[] may carry mtu, socketPath, pciID; routes[] mtu, advmss, priority,
//          table, scope (added in spec 1.1).
// Parsing accepts every shape from 0.1.0 (ip4/ip6 objects) to 1.1.0, so a prevResult or an
// IPAM plugin speaking any version is understood.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ip.hpp"
#include "evpn-cni/cni_error.hpp"
#include "evpn-cni/net_ops.hpp"

namespace evpnd::cni {

struct ResultInterface {
  std::string name;
  std::string mac;      // "" = omitted
  std::optional<uint32_t> mtu;  // 1.1.0 only
  std::string sandbox;  // container netns path; "" for host-side interfaces
  std::string socket_path, pci_id;  // 1.1.0 only, passed through
  bool operator==(const ResultInterface&) const = default;
};

struct ResultIp {
  IfAddress address;                // "10.1.0.5/24"
  std::optional<IpAddress> gateway;
  std::optional<int> interface;     // index into interfaces[]
  bool operator==(const ResultIp&) const = default;
};

struct ResultRoute {
  IpPrefix dst;
  std::optional<IpAddress> gw;
  std::optional<uint32_t> mtu, advmss, priority, table, scope;  // 1.1.0 only
  bool operator==(const ResultRoute&) const = default;
};

struct ResultDns {
  std::vector<std::string> nameservers, search, options;
  std::string domain;
  bool empty() const { return nameservers.empty() && search.empty() && options.empty() && domain.empty(); }
  bool operator==(const ResultDns&) const = default;
};

struct Result {
  std::vector<ResultInterface> interfaces;
  std::vector<ResultIp> ips;
  std::vector<ResultRoute> routes;
  ResultDns dns;
  bool operator==(const Result&) const = default;
};

// "10.1.0.5/24" -> {10.1.0.5, 24}; nullopt when malformed or the length is out of range.
std::optional<IfAddress> parse_cidr(std::string_view text);
std::string cidr_string(const IfAddress& a);

// The result object in `version` (one of kSupportedVersions).
nlohmann::json encode_result(const Result& r, std::string_view version);
// Any version's result (0.1.0 ... 1.1.0); errors are code 6 (decode) naming the bad field.
CniResult<Result> parse_result(const nlohmann::json& j);
CniResult<ResultDns> parse_dns(const nlohmann::json& j);
nlohmann::json encode_dns(const ResultDns& d);

}  // namespace evpnd::cni
