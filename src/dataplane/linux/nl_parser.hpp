// Pure parsers: one rtnetlink message (as received from the kernel) -> kernel-vocabulary struct.
//
// NOTE input is untrusted (well, kernel-made, but versions differ): every attribute length is
// validated; unknown attributes are skipped; a message that is too short yields nullopt.
#pragma once

#include <optional>

#include "core/bytes.hpp"
#include "dataplane/linux/nl_types.hpp"

namespace evpnd::dataplane::nl {

// `msg` is one whole message starting at its nlmsghdr.
std::optional<NeighMsg> parse_neigh(ByteView msg);
std::optional<LinkMsg> parse_link(ByteView msg);
std::optional<RouteMsg> parse_route(ByteView msg);
std::optional<AddrMsg> parse_addr(ByteView msg);
std::optional<NexthopMsg> parse_nexthop(ByteView msg);
// RTM_NEWNSID (the answer to RTM_GETNSID): NETNSA_NSID, -1 when no id is assigned.
std::optional<int32_t> parse_nsid(ByteView msg);

// The nlmsg_type of a message (0 when too short).
uint16_t message_type(ByteView msg);

}  // namespace evpnd::dataplane::nl
