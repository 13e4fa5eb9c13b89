// Kept for existing includes: the ESI helpers (esi_reserved, kMaxEthernetTag) and the remote
// Ethernet segment state live in remote_es.hpp now.
#pragma once

#include "evpn/remote_es.hpp"
