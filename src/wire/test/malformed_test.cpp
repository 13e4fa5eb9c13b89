// The malformed corpus (tests/vectors/malformed/*.hex, made by make_corpus.py): each file is one
// BGP message whose header comment gives the RFC 7606 / RFC 4271 outcome the decoder must reach.
#include <algorithm>
#include <filesystem>
#include <optional>

#include <gtest/gtest.h>

#include "bgp_test_support.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::test {
namespace {

struct Expectation {
  std::string action;
  int code = -1, subcode = -1;
  DecodeContext ctx;
  int routes = -1;
  std::optional<Bytes> data;  // NOTIFICATION data of a session reset (RFC 4271 §6), byte-exact
};

Expectation parse_expectation(const VectorFile& f) {
  Expectation e;
  for (const auto& c : f.comments) {
    if (c.rfind("expect: ", 0) == 0) {
      std::istringstream in(c.substr(8));
      std::string cs;
      in >> e.action >> cs;
      e.code = std::stoi(cs.substr(0, cs.find('/')));
      e.subcode = std::stoi(cs.substr(cs.find('/') + 1));
    } else if (c.rfind("ctx: ", 0) == 0) {
      std::istringstream in(c.substr(5));
      std::string flag;
      while (in >> flag) {
        if (flag == "two-octet-as") e.ctx.four_octet_as = false;
        else if (flag == "ebgp") e.ctx.ebgp = true;
        else if (flag == "extended-message") e.ctx.extended_message = true;
        else if (flag == "add-path-evpn") e.ctx.add_path_rx_evpn = true;
        else if (flag == "nlri-treat-as-withdraw") e.ctx.nlri_error_withdraw = true;
        else ADD_FAILURE() << f.name << ": unknown ctx flag " << flag;
      }
    } else if (c.rfind("routes: ", 0) == 0) {
      e.routes = std::stoi(c.substr(8));
    } else if (c.rfind("data: ", 0) == 0) {
      e.data = parse_hex(c.substr(6));
      if (!e.data) ADD_FAILURE() << f.name << ": bad data hex";
    }
  }
  return e;
}

size_t route_count(const Update& u) {
  size_t n = u.nlri.size();
  if (u.mp_reach) n += u.mp_reach->evpn.size() + u.mp_reach->prefixes.size();
  return n;
}

TEST(Malformed, Corpus_EachFileGetsItsExpectedAction) {
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(EVPND_SOURCE_DIR "/tests/vectors/malformed")) {
    if (e.path().extension() == ".hex") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  ASSERT_GE(paths.size(), 60u);
  for (const auto& path : paths) {
    VectorFile f = read_vector_file(path);
    SCOPED_TRACE(f.name);
    Expectation e = parse_expectation(f);
    ASSERT_FALSE(e.action.empty()) << "no '# expect:' line";
    auto m = decode_message(f.bytes, e.ctx);
    if (e.action == "session-reset") {
      ASSERT_FALSE(m.has_value()) << "decoded, expected a session reset";
      EXPECT_EQ(m.error().action, ErrorAction::kSessionReset);
      EXPECT_EQ(m.error().code, e.code) << m.error().reason;
      EXPECT_EQ(m.error().subcode, e.subcode) << m.error().reason;
      EXPECT_FALSE(m.error().reason.empty());
      if (e.data) {
        EXPECT_EQ(to_hex(m.error().data), to_hex(*e.data)) << m.error().reason;
      }
      continue;
    }
    ASSERT_TRUE(m.has_value()) << m.error().reason;
    EXPECT_FALSE(e.data) << "'# data:' is for session-reset vectors";
    const Update* u = std::get_if<Update>(&*m);
    ASSERT_NE(u, nullptr);
    ASSERT_FALSE(u->errors.empty());
    auto strongest = std::max_element(u->errors.begin(), u->errors.end(),
                                      [](const DecodeError& a, const DecodeError& b) { return a.action < b.action; });
    EXPECT_EQ(to_string(strongest->action), e.action) << strongest->reason;
    EXPECT_EQ(u->treat_as_withdraw, e.action == "treat-as-withdraw");
    bool found = std::any_of(u->errors.begin(), u->errors.end(), [&](const DecodeError& d) {
      return to_string(d.action) == e.action && d.code == e.code && d.subcode == e.subcode;
    });
    EXPECT_TRUE(found) << "no " << e.action << " " << e.code << "/" << e.subcode << "; first: "
                       << u->errors.front().reason;
    for (const auto& d : u->errors) EXPECT_FALSE(d.reason.empty());
    if (e.routes >= 0) {
      EXPECT_EQ(route_count(*u), size_t(e.routes));
    }
  }
}

// Every proper prefix of every corpus and golden message must fail cleanly (no crash, no
// out-of-bounds read; run under ASan), and every single-byte corruption must either decode or
// fail with an error that has a reason.
TEST(Malformed, TruncationsAndBitFlips_NeverCrash) {
  std::vector<std::string> paths;
  for (const char* dir : {EVPND_SOURCE_DIR "/tests/vectors/malformed", EVPND_SOURCE_DIR "/tests/vectors/frr"}) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".hex") paths.push_back(e.path().string());
    }
  }
  size_t decoded = 0, failed = 0;
  for (const auto& path : paths) {
    Bytes b = read_vector_file(path).bytes;
    for (size_t n = 0; n < b.size(); ++n) {
      auto m = decode_message(ByteView(b.data(), n), DecodeContext{});
      EXPECT_FALSE(m.has_value()) << path << " prefix " << n;
    }
    for (size_t i = 0; i < b.size(); ++i) {
      for (uint8_t x : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xFF)}) {
        Bytes c = b;
        c[i] ^= x;
        for (bool four : {true, false}) {
          DecodeContext ctx;
          ctx.four_octet_as = four;
          ctx.add_path_rx_evpn = !four;
          auto m = decode_message(c, ctx);
          if (m) {
            ++decoded;
            Bytes again = encode_message(*m, EncodeContext{four, false, !four});
            EXPECT_GE(again.size(), 19u);
          } else {
            ++failed;
            EXPECT_FALSE(m.error().reason.empty());
          }
        }
      }
    }
  }
  EXPECT_GT(decoded, 0u);
  EXPECT_GT(failed, 0u);
}

}  // namespace
}  // namespace evpnd::wire::test
