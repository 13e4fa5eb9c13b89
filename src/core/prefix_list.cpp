// Prefix-list evaluation (prefix_list.hpp): FRR's prefix_list_entry_match() semantics, so an
// operator's FRR `ip prefix-list` lines translate one to one.
#include "core/prefix_list.hpp"

namespace evpnd {

bool matches(const PrefixListEntry& e, const IpPrefix& p) {
  // An IPv4 entry never matches an IPv6 route (FRR keeps `ip` and `ipv6` prefix-lists apart);
  // an entry without a family (a default-constructed prefix) matches nothing.
  if (e.prefix.family() == IpFamily::kNone || e.prefix.family() != p.family()) return false;
  // Inside P: at least as long, and P's first len(P) bits. IpPrefix keeps host bits cleared, so
  // truncating R to len(P) and comparing the addresses is the bit comparison.
  if (p.length() < e.prefix.length()) return false;
  if (IpPrefix(p.address(), e.prefix.length()) != e.prefix) return false;
  // FRR stores "not given" as 0, so `ge 0` / `le 0` (only valid on a /0 entry) behave as not
  // given: `0.0.0.0/0 ge 0` matches the default route only, exactly as in FRR.
  const uint8_t ge = e.ge.value_or(0);
  const uint8_t le = e.le.value_or(0);
  if (ge == 0 && le == 0) return p.length() == e.prefix.length();
  if (le != 0 && p.length() > le) return false;
  if (ge != 0 && p.length() < ge) return false;
  return true;
}

bool permits(const PrefixList& list, const IpPrefix& p) {
  for (const auto& e : list.entries)
    if (matches(e, p)) return e.permit;
  return false;  // implicit deny at the end of every prefix list
}

std::string to_string(const PrefixListEntry& e) {
  std::string s = e.permit ? "" : "deny ";
  s += e.prefix.to_string();
  if (e.ge) s += " ge " + std::to_string(*e.ge);
  if (e.le) s += " le " + std::to_string(*e.le);
  return s;
}

}  // namespace evpnd
