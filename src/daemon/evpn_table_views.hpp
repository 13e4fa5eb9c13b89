// The large EVPN tables of the API as paged, streamed replies (paged_view.hpp):
//   GET /v1/evpn/macs?vni=&limit=&cursor=       {"macs":[...],"count":n[,"next_cursor":C]}
//   GET /v1/evpn/arp-cache?vni=&limit=&cursor=  {"entries":[...],"count":n[,"next_cursor":C]}
// The walks go VNI by VNI in key order, resuming after the last (VNI, MAC) or (VNI, origin, IP)
// they listed, so MACs learned or aged out between pieces or pages change nothing for the rest.
// Item shapes: docs/API.md. (format=frr replies are still built whole: evpn/json_views.hpp.)
// NOTE threading: the io_context thread.
#pragma once

#include <optional>

#include "api/api_server.hpp"
#include "daemon/daemon.hpp"
#include "daemon/paged_view.hpp"

namespace evpnd::daemon {

// 400 on a malformed cursor; `vni` (if any) was checked by the caller.
api::ApiResponse mac_table_reply(const Daemon& d, std::optional<Vni> vni, const PageParams& page);
api::ApiResponse arp_cache_reply(const Daemon& d, std::optional<Vni> vni, const PageParams& page);

}  // namespace evpnd::daemon
