// The frames LinuxNetOps::announce sends from the container interface so that the bridge (and,
// through it, evpnd's learning and every neighbour on the segment) learns the pod's MAC at once:
// whole Ethernet frames for an AF_PACKET SOCK_RAW socket. Pure: unit-tested byte by byte.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "core/ip.hpp"
#include "core/mac.hpp"

namespace evpnd::cni {

// RFC 5227 §3 ARP Announcement: an ARP request (oper 1) broadcast, sender and target protocol
// address both `ip`, sender hardware address `mac`, target hardware address zero (§2.3: "SHOULD
// be set to all zeroes"); padded to the 60-byte Ethernet minimum.
Bytes garp_frame(const Mac& mac, const IpAddress& ip);

// RFC 4861 §7.2.6 unsolicited Neighbour Advertisement: to the all-nodes address ff02::1
// (33:33:00:00:00:01), hop limit 255 (§7.1.2 receivers drop anything else), from `ip` itself,
// Solicited flag clear, Override flag set (§7.2.6: so caches replace a stale link-layer
// address), target `ip`, with the Target Link-Layer Address option (§4.6.1) carrying `mac`.
Bytes unsolicited_na_frame(const Mac& mac, const IpAddress& ip);

// The ICMPv6 checksum (RFC 4443 §2.3, over the RFC 8200 §8.1 pseudo-header) of `icmp` (whose
// checksum field is zero) sent from `src` to `dst`.
uint16_t icmpv6_checksum(const IpAddress& src, const IpAddress& dst, ByteView icmp);

}  // namespace evpnd::cni
