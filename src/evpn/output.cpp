#include "evpn/output.hpp"

#include <iterator>

namespace evpnd::evpn {

std::string to_string(NoticeKind k) {
  switch (k) {
    case NoticeKind::kDuplicateDetected: return "duplicate-detected";
    case NoticeKind::kDuplicateCleared: return "duplicate-cleared";
    case NoticeKind::kFreezeExpired: return "freeze-expired";
    case NoticeKind::kStickyConflict: return "sticky-conflict";
    case NoticeKind::kGatewayMacIgnored: return "gateway-mac-ignored";
    case NoticeKind::kRouteIgnored: return "route-ignored";
  }
  return "unknown";
}

void Output::append(Output&& o) {
  routes.insert(routes.end(), std::make_move_iterator(o.routes.begin()),
                std::make_move_iterator(o.routes.end()));
  intents.insert(intents.end(), std::make_move_iterator(o.intents.begin()),
                 std::make_move_iterator(o.intents.end()));
  notices.insert(notices.end(), std::make_move_iterator(o.notices.begin()),
                 std::make_move_iterator(o.notices.end()));
  unicast.insert(unicast.end(), std::make_move_iterator(o.unicast.begin()),
                 std::make_move_iterator(o.unicast.end()));
}

}  // namespace evpnd::evpn
