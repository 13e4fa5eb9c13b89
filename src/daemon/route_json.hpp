// Parses the JSON route form of the API (POST/DELETE /v1/evpn/routes): the ROUTE shape of
// wire/json_view.hpp plus "next_hop", "extended_communities" (the strings ExtCommunity::
// to_string() prints), optional "pmsi_tunnel" {"label","endpoint"}, "local_pref", "med".
//
// NOTE errors: untrusted input; every problem is returned as one line naming the field.
#pragma once

#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "engine/engine.hpp"

namespace evpnd::daemon {

tl::expected<engine::LocalRoute, std::string> parse_local_route(const nlohmann::json& j);
tl::expected<wire::ExtCommunity, std::string> parse_ext_community(const std::string& s);

}  // namespace evpnd::daemon
