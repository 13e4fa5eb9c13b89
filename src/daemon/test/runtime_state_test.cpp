// The run-time state file (runtime_state.hpp): JSON round trip, a bad file is an error (not an
// empty state), an absent one is empty, and a save replaces the file whole (no temporary left).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "daemon/runtime_state.hpp"

namespace evpnd::daemon {
namespace {

std::string temp_dir() {
  std::string t = ::testing::TempDir() + "/evpnd-rs-XXXXXX";
  EXPECT_NE(::mkdtemp(t.data()), nullptr);
  return t;
}

RuntimeState sample() {
  RuntimeState s;
  s.vnis[100] = RuntimeVni{100, {{"bridge", "br100"}, {"rd", "10.0.0.1:5"}}, {"net/c1/eth0", "api"}};
  s.vnis[200] = RuntimeVni{200, nlohmann::json::object(), {"x"}};
  RuntimeEndpoint e{100, *Mac::parse("02:00:00:00:00:05"), {*IpAddress::parse("10.1.0.5"), *IpAddress::parse("2001:db8::5")},
                    "veth1", "net/c1/eth0"};
  s.endpoints[{e.vni, e.mac}] = e;
  return s;
}

TEST(RuntimeState, Json_RoundTrip_Equal) {
  const RuntimeState s = sample();
  auto back = runtime_state_from_json(runtime_state_json(s));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, s);
}

TEST(RuntimeState, SaveLoad_RoundTrip_NoTemporaryLeft) {
  const std::string dir = temp_dir() + "/sub";  // created by save
  const std::string path = runtime_state_path(dir);
  ASSERT_TRUE(save_runtime_state(path, sample()));
  auto back = load_runtime_state(path);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, sample());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  // A second save replaces the whole file.
  ASSERT_TRUE(save_runtime_state(path, RuntimeState{}));
  back = load_runtime_state(path);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->empty());
}

TEST(RuntimeState, Load_AbsentFile_Empty) {
  auto s = load_runtime_state(temp_dir() + "/runtime.json");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->empty());
}

TEST(RuntimeState, Load_BadFiles_ErrorNamesFile) {
  const std::string dir = temp_dir();
  const std::string path = runtime_state_path(dir);
  for (const char* text : {"{not json", "{\"version\": 2}", "{\"version\":1,\"vnis\":[{\"vni\":0}]}",
                           "{\"version\":1,\"endpoints\":[{\"vni\":5,\"mac\":\"zz\"}]}"}) {
    std::ofstream(path) << text;
    auto s = load_runtime_state(path);
    ASSERT_FALSE(s) << text;
    EXPECT_NE(s.error().find(path), std::string::npos) << s.error();
  }
}

TEST(RuntimeState, Save_UnwritableDirectory_Error) {
  const std::string dir = temp_dir();
  std::ofstream(dir + "/file") << "x";  // a file where the directory should be
  auto ok = save_runtime_state(dir + "/file/runtime.json", sample());
  EXPECT_FALSE(ok);
}

}  // namespace
}  // namespace evpnd::daemon
