#include "core/types.hpp"

namespace evpnd {

std::string to_string(AfiSafi as) {
  if (as == kL2vpnEvpn) return "l2vpn-evpn";
  if (as == kIpv4Unicast) return "ipv4-unicast";
  if (as == kIpv6Unicast) return "ipv6-unicast";
  return "afi" + std::to_string(uint16_t(as.afi)) + "-safi" + std::to_string(uint8_t(as.safi));
}

}  // namespace evpnd
