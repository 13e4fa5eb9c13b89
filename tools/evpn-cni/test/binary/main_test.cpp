// The real binary (main.cpp) as a runtime runs it: environment + stdin in, stdout + exit code out.
#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../fake_evpnd.hpp"

namespace {

struct Out {
  int status;
  std::string out;
};

Out run(const std::string& env, const std::string& stdin_text) {
  char tmpl[] = "/tmp/evt-cni-bin-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string in = dir + "/in";
  FILE* f = std::fopen(in.c_str(), "w");
  std::fputs(stdin_text.c_str(), f);
  std::fclose(f);
  std::string cmd = "env -i " + env + " EVPN_CNI_DATA_DIR=" + dir + "/data " + EVPN_CNI_BINARY + " < " + in;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  std::filesystem::remove_all(dir);
  return Out{WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

TEST(EvpnCniBinary, Version) {
  auto r = run("CNI_COMMAND=VERSION", R"({"cniVersion":"1.0.0"})");
  EXPECT_EQ(r.status, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["cniVersion"], "1.0.0");
  EXPECT_EQ(j["supportedVersions"].size(), 5u);
}

TEST(EvpnCniBinary, AddWithoutEvpnd_Error50OnStdoutExit1) {
  auto r = run("CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_IFNAME=eth0 CNI_NETNS=/run/netns/evt-none CNI_PATH=/usr/lib/cni",
               R"({"cniVersion":"0.3.1","name":"vxlan-5001","type":"vxlan","vni":5001,"socket":"/tmp/evt-no-such.sock"})");
  EXPECT_EQ(r.status, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["code"], 50);
  EXPECT_EQ(j["cniVersion"], "0.3.1");
}

TEST(EvpnCniBinary, FaultInjection_ExitCode99NoOutput) {
  // The segment is created, then the process stops as if killed: exit 99, nothing on stdout.
  evpnd::cni::testing::FakeEvpnd evpnd;
  auto r = run("CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_IFNAME=eth0 CNI_NETNS=/run/netns/evt-none EVPN_CNI_FAULT=vni "
               "EVPND_SOCKET=" + evpnd.socket(),
               R"({"cniVersion":"1.0.0","name":"n","type":"evpn","vni":5001})");
  EXPECT_EQ(r.status, 99);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(evpnd.vnis().count(5001), 1u);  // EVPND_SOCKET from the environment was used
}

}  // namespace
