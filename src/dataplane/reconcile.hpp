// Start-up reconciliation as a pure function: desired intents + dumped state -> the minimal list of
// intents that makes the data plane match, so a restart never flushes entries that are right.
//
// NOTE ownership: only objects carrying our marks appear in DataplaneState's remote tables, so
// removing "current but not desired" never touches locally learned or operator-configured entries.
// L2Vni/L3Vni objects are ensured when missing or different but never removed here: a device we do
// not want any more is removed by an explicit kDelete from configuration changes.
// NOTE order of the plan: deletes first (a stale partial RMAC neighbour must go before the full
// RemoteRmac is re-added), then VNI ensures, then fdb nexthops, nexthop groups and the objects
// below them (MACs may use the groups), and last the deletes of groups, then of nexthops (after
// the MACs and groups that used them were re-pointed).
// NOTE performance: O(n log n) in the number of entries; 100k MACs plan in tens of milliseconds.
#pragma once

#include <span>
#include <vector>

#include "dataplane/intent.hpp"

namespace evpnd::dataplane {

struct ReconcilePlan {
  std::vector<Intent> intents;   // apply in this order
  size_t adds = 0;
  size_t removes = 0;
  size_t unchanged = 0;
};

// `desired` holds kAdd intents only (kDelete entries are ignored).
ReconcilePlan plan_reconcile(std::span<const Intent> desired, const DataplaneState& current);

// The report of applying `plan`: every intent without an error in `result` counts as added or
// removed by its action. Shared by every provider's reconcile().
ReconcileReport reconcile_report(const ReconcilePlan& plan, ApplyResult result);

// True when `current` (read back from the data plane) satisfies `desired`; fields left at their
// "don't care" value in `desired` (no bridge_mac, mtu 0) are not compared.
bool l2vni_matches(const L2Vni& desired, const L2Vni& current);
bool l3vni_matches(const L3Vni& desired, const L3Vni& current);

}  // namespace evpnd::dataplane
