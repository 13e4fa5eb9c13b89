// AttachmentStore: records round-trip, listing per network, removal, bad files skipped.
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "evpn-cni/attachments.hpp"

namespace evpnd::cni::testing {
namespace {

class AttachmentStoreTest : public ::testing::Test {
 protected:
  AttachmentStoreTest() {
    char tmpl[] = "/tmp/evt-cni-store-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~AttachmentStoreTest() override { std::filesystem::remove_all(dir_); }
  AttachmentRecord rec(const std::string& net, const std::string& cid) {
    AttachmentRecord r;
    r.network = net, r.container_id = cid, r.ifname = "eth0", r.vni = 5001, r.host_veth = "evpn00000001";
    r.mac = "02:00:00:00:00:01", r.ips = {"10.1.0.5/24"}, r.ipam_added = true;
    r.ipam_result = {{"cniVersion", "1.0.0"}};
    r.config = {{"name", net}};
    r.state = AttachmentState::kReady;
    return r;
  }
  std::string dir_;
};

TEST_F(AttachmentStoreTest, SaveLoadRoundTrip) {
  AttachmentStore s(dir_);
  ASSERT_TRUE(s.save(rec("net", "c1")));
  auto back = s.load("net", "c1", "eth0");
  ASSERT_TRUE(back);
  ASSERT_TRUE(*back);
  EXPECT_EQ((*back)->to_json(), rec("net", "c1").to_json());
  EXPECT_EQ((*back)->attachment_id(), "net/c1/eth0");
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/net/c1:eth0.json"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/net/c1:eth0.json.tmp"));
  auto missing = s.load("net", "c2", "eth0");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST_F(AttachmentStoreTest, StatesRoundTrip) {
  AttachmentStore s(dir_);
  for (auto st : {AttachmentState::kAdding, AttachmentState::kReady, AttachmentState::kRetractPending}) {
    auto r = rec("net", "c1");
    r.state = st;
    ASSERT_TRUE(s.save(r));
    EXPECT_EQ((*s.load("net", "c1", "eth0"))->state, st);
  }
}

TEST_F(AttachmentStoreTest, ListPerNetworkAndAll_SkipsBadFiles) {
  AttachmentStore s(dir_);
  ASSERT_TRUE(s.save(rec("a", "c1")));
  ASSERT_TRUE(s.save(rec("a", "c2")));
  ASSERT_TRUE(s.save(rec("b", "c1")));
  std::ofstream(dir_ + "/a/broken:eth0.json") << "{not json";
  std::ofstream(dir_ + "/a/partial:eth0.json") << R"({"network":"a"})";
  EXPECT_EQ(s.list("a").size(), 2u);
  EXPECT_EQ(s.list("b").size(), 1u);
  EXPECT_EQ(s.list().size(), 3u);
  EXPECT_TRUE(s.list("none").empty());
  auto bad = s.load("a", "broken", "eth0");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, 6u);
}

TEST_F(AttachmentStoreTest, RemoveIsIdempotent) {
  AttachmentStore s(dir_);
  ASSERT_TRUE(s.save(rec("net", "c1")));
  EXPECT_TRUE(s.remove("net", "c1", "eth0"));
  EXPECT_TRUE(s.remove("net", "c1", "eth0"));
  EXPECT_TRUE(s.remove("never", "c1", "eth0"));
  EXPECT_TRUE(s.list().empty());
}

TEST_F(AttachmentStoreTest, ListPending_OnlyPendingRecordsThroughMarkers) {
  AttachmentStore s(dir_);
  ASSERT_TRUE(s.save(rec("a", "c1")));
  auto p = rec("a", "c2");
  p.state = AttachmentState::kRetractPending;
  ASSERT_TRUE(s.save(p));
  auto q = rec("b", "c3");
  q.state = AttachmentState::kRetractPending;
  ASSERT_TRUE(s.save(q));
  auto pending = s.list_pending();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].container_id == "c2" ? pending[1].container_id : pending[0].container_id, "c3");
  // Leaving the state (a new ADD) or removal drops the marker.
  q.state = AttachmentState::kAdding;
  ASSERT_TRUE(s.save(q));
  ASSERT_TRUE(s.remove("a", "c2", "eth0"));
  EXPECT_TRUE(s.list_pending().empty());
  EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/.pending"));
  // A marker whose record vanished is skipped and cleaned up.
  std::ofstream(dir_ + "/.pending/a:gone:eth0");
  EXPECT_TRUE(s.list_pending().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/.pending/a:gone:eth0"));
}

TEST_F(AttachmentStoreTest, LockCreatesTheDirectory) {
  AttachmentStore s(dir_ + "/deep/er");
  auto lock = s.lock();
  ASSERT_TRUE(lock) << lock.error().msg;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/deep/er/lock"));
}

TEST_F(AttachmentStoreTest, UnwritableDirectory_Code5) {
  std::ofstream(dir_ + "/file") << "x";
  AttachmentStore s(dir_ + "/file");  // a file where the directory should be
  auto r = s.save(rec("net", "c1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 5u);
}

}  // namespace
}  // namespace evpnd::cni::testing
