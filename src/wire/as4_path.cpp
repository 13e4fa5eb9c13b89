// RFC 6793 §4.2.2 / §4.2.3: AS paths between 4-octet-AS (NEW) and 2-octet-AS (OLD) speakers.
#include "wire/as4_path.hpp"

#include <algorithm>

namespace evpnd::wire {
namespace {

using Seg = AsPathSegment::Type;

bool is_confed(Seg t) { return t == Seg::kConfedSequence || t == Seg::kConfedSet; }

}  // namespace

const char* to_string(As4Outcome::PathUse u) {
  switch (u) {
    case As4Outcome::PathUse::kNone: return "none";
    case As4Outcome::PathUse::kMerged: return "merged";
    case As4Outcome::PathUse::kIgnoredLonger: return "AS4_PATH longer than AS_PATH, ignored";
    case As4Outcome::PathUse::kIgnoredAggregator: return "AGGREGATOR is not AS_TRANS, AS4 attributes ignored";
  }
  return "?";
}

AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path) {
  const size_t n2 = as_path_length(as_path), n4 = as_path_length(as4_path);
  if (n2 < n4) return as_path;  // §4.2.3: AS4_PATH is ignored, AS_PATH is the path
  // §4.2.3: take as many ASNs and segments from the front of AS_PATH as AS4_PATH lacks; a
  // confederation segment goes along when it leads or is adjacent to a taken segment.
  size_t need = n2 - n4;
  AsPath out;
  for (const auto& s : as_path) {
    if (is_confed(s.type)) {
      out.push_back(s);
      continue;
    }
    if (need == 0) break;
    if (s.type == Seg::kSet) {
      out.push_back(s);
      --need;
      continue;
    }
    const size_t take = std::min(need, s.asns.size());
    out.push_back(AsPathSegment{Seg::kSequence, {s.asns.begin(), s.asns.begin() + std::ptrdiff_t(take)}});
    need -= take;
    if (take < s.asns.size()) break;
  }
  for (const auto& s : as4_path) {
    // Two AS_SEQUENCEs meeting at the seam are one segment on the wire (up to 255 ASNs).
    if (!out.empty() && s.type == Seg::kSequence && out.back().type == Seg::kSequence &&
        out.back().asns.size() + s.asns.size() <= 255) {
      out.back().asns.insert(out.back().asns.end(), s.asns.begin(), s.asns.end());
    } else {
      out.push_back(s);
    }
  }
  return out;
}

As4Outcome reconstruct_as4(PathAttributes& a) {
  As4Outcome r;
  std::optional<AsPath> as4 = std::move(a.as4_path);
  std::optional<Aggregator> agg4 = std::move(a.as4_aggregator);
  a.as4_path.reset();
  a.as4_aggregator.reset();
  if (agg4) {
    // §4.2.3: AS4_AGGREGATOR with an AGGREGATOR that is not AS_TRANS means the aggregating
    // speaker was OLD: AS4_AGGREGATOR and AS4_PATH are both ignored.
    if (a.aggregator && a.aggregator->asn != kAsTrans) {
      if (as4) r.path = As4Outcome::PathUse::kIgnoredAggregator;
      return r;
    }
    a.aggregator = *agg4;
    r.aggregator_from_as4 = true;
  }
  if (!as4 || !a.as_path) return r;
  // §3: confederation segments are invalid in AS4_PATH; they are discarded, the rest is used.
  AsPath clean;
  for (auto& s : *as4) {
    if (is_confed(s.type)) ++r.confed_segments_dropped;
    else clean.push_back(std::move(s));
  }
  if (as_path_length(*a.as_path) < as_path_length(clean)) {
    r.path = As4Outcome::PathUse::kIgnoredLonger;
    return r;
  }
  a.as_path = merge_as4_path(*a.as_path, clean);
  r.path = As4Outcome::PathUse::kMerged;
  return r;
}

std::optional<AsPath> as4_path_for(const AsPath& as_path) {
  // §4.2.2: confederation segments are left out of AS4_PATH, so only the ASNs outside them
  // decide whether it carries anything AS_PATH does not.
  bool wide = false;
  for (const auto& s : as_path)
    if (!is_confed(s.type))
      for (Asn x : s.asns) wide |= x > 0xFFFF;
  if (!wide) return std::nullopt;
  AsPath out;
  for (const auto& s : as_path)
    if (!is_confed(s.type)) out.push_back(s);
  return out;
}

}  // namespace evpnd::wire
