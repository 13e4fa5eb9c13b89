// libpcap offline wrapper; see pcap_reader.hpp.
#include "evpnctl/pcap_reader.hpp"

#include <pcap/pcap.h>

#include <cstdio>
#include <ctime>

namespace evpnctl {

std::string Timestamp::to_string() const {
  const std::time_t t = static_cast<std::time_t>(sec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
  return buf;
}

void PcapReader::Closer::operator()(pcap* p) const {
  if (p != nullptr) pcap_close(p);
}

PcapReader::PcapReader(pcap* p) : handle_(p), link_type_(pcap_datalink(p)) {
  nano_ = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
}

tl::expected<PcapReader, std::string> PcapReader::open(const std::string& path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  // Ask for nanoseconds: libpcap scales microsecond files up, so one code path serves both.
  pcap* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == nullptr) return tl::unexpected(std::string(errbuf));
  return PcapReader(p);
}

std::optional<Frame> PcapReader::next() {
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_.get(), &hdr, &data);
  if (rc == PCAP_ERROR_BREAK) return std::nullopt;  // end of file
  if (rc != 1) {
    error_ = pcap_geterr(handle_.get());
    return std::nullopt;
  }
  Frame f;
  f.number = ++count_;
  f.time.sec = hdr->ts.tv_sec;
  f.time.nsec = nano_ ? uint32_t(hdr->ts.tv_usec) : uint32_t(hdr->ts.tv_usec) * 1000;
  f.data = evpnd::ByteView(data, hdr->caplen);
  f.wire_length = hdr->len;
  return f;
}

}  // namespace evpnctl
