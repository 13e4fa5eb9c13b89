// Byte-exact tests of the announcement frames (linux_announce.hpp). The expected bytes are
// assembled by hand from RFC 826 / RFC 5227 §3 (ARP) and RFC 8200 §3 / RFC 4861 §4.4, §4.6.1
// (NA); the ICMPv6 checksum was computed independently (a few lines of Python over the
// RFC 8200 §8.1 pseudo-header). The kernel tests check that a Linux neighbour accepts them.
#include "evpn-cni/linux_announce.hpp"

#include <gtest/gtest.h>

namespace evpnd::cni {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }
Mac mac(const char* s) { return *Mac::parse(s); }
std::string hex(const char* s) { return to_hex(*parse_hex(s)); }

TEST(GarpFrame, Ipv4_Rfc5227AnnouncementPaddedTo60) {
  Bytes f = garp_frame(mac("02:00:00:00:00:05"), ip("10.1.0.5"));
  EXPECT_EQ(to_hex(f), hex(
      "ffffffffffff 020000000005 0806"   // broadcast, from the pod's MAC, ARP
      "0001 0800 06 04 0001"             // Ethernet/IPv4, request
      "020000000005 0a010005"            // sender: MAC, 10.1.0.5
      "000000000000 0a010005"            // target: zero MAC, the same address
      "000000000000000000000000000000000000"));  // padding to 60 bytes
}

TEST(UnsolicitedNaFrame, Ipv6_AllNodesOverrideTllaHopLimit255) {
  Bytes f = unsolicited_na_frame(mac("02:00:00:00:00:05"), ip("2001:db8::5"));
  EXPECT_EQ(to_hex(f), hex(
      "333300000001 020000000005 86dd"   // to ff02::1's MAC (RFC 2464 §7)
      "60000000 0020 3a ff"              // payload 32, ICMPv6, hop limit 255
      "20010db8000000000000000000000005" // from the address itself
      "ff020000000000000000000000000001" // to all nodes
      "88 00 f91e"                       // NA, code 0, checksum
      "20000000"                         // R=0 S=0 O=1
      "20010db8000000000000000000000005" // target
      "02 01 020000000005"));            // Target Link-Layer Address option
}

TEST(Icmpv6Checksum, FrameChecksum_VerifiesToZero) {
  // Receivers sum the message with its checksum in place: the result must be 0 (RFC 1071).
  Bytes f = unsolicited_na_frame(mac("aa:bb:cc:dd:ee:01"), ip("fd00::1:2"));
  ByteView icmp = ByteView(f).subspan(54);
  EXPECT_EQ(icmpv6_checksum(ip("fd00::1:2"), ip("ff02::1"), icmp), 0);
  Bytes odd = {0x88, 0x00, 0x00, 0x00, 0x01};  // odd length: the last byte is padded with zero
  EXPECT_EQ(icmpv6_checksum(ip("::"), ip("::"), odd), static_cast<uint16_t>(~(0x8800 + 0x0000 + 0x0100 + 5 + 58)));
}

}  // namespace
}  // namespace evpnd::cni
