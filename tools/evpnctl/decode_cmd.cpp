// `evpnctl decode`: offline decoding of BGP messages from a capture, a hex string or a raw file,
// printed as JSON Lines (one object per BGP message, shapes from wire/json_view.hpp).
//
//   pcap  -> PcapReader -> parse_tcp_segment -> TcpFlowTable (reassembly + BGP framing)
//         -> SessionContexts (per-direction DecodeContext from the OPENs) -> decode_message -> JSON
//   hex/raw -> peek_header framing -> decode_message -> JSON
//
// Exit status: 0 whenever the input could be read, whatever it contained; 1 when it could not
// (missing file, not a capture, unsupported link type, bad hex, a capture cut short).
// Diagnostics about the capture (skipped bytes, fragments) go to stderr.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "evpnctl/commands.hpp"
#include "evpnctl/packet_parser.hpp"
#include "evpnctl/pcap_reader.hpp"
#include "evpnctl/session_context.hpp"
#include "evpnctl/tcp_reassembly.hpp"
#include "wire/json_view.hpp"
#include "wire/message.hpp"

namespace evpnctl {
namespace {

using evpnd::Bytes;
using evpnd::ByteView;
using nlohmann::json;
namespace wire = evpnd::wire;

constexpr int kInputError = 1;

struct DecodeOptions {
  enum class Source : uint8_t { kPcap, kHex, kRaw } source = Source::kHex;
  std::string pcap;
  std::string hex;
  std::string raw;
  std::string context = "four-octet-as";
  bool pretty = false;
};

// Records lead with where and what (frame, time, src, dst, type, length), then the message's
// own keys in json_view's (sorted) order, so a line reads left to right.
void print(const json& j, bool pretty) {
  static constexpr const char* kLeading[] = {"frame", "time", "src", "dst", "type", "length"};
  nlohmann::ordered_json out;
  for (const char* k : kLeading) {
    if (j.contains(k)) out[k] = j[k];
  }
  for (const auto& [k, v] : j.items()) {
    if (!out.contains(k)) out[k] = v;
  }
  // Wire strings are sanitised by json_view; `replace` is the last line of defence.
  std::cout << out.dump(pretty ? 2 : -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

void warn(const std::string& text) { std::cerr << "evpnctl decode: " << text << '\n'; }

json error_record(ByteView bytes, const wire::DecodeError& e) {
  const uint8_t type = bytes.size() >= wire::kHeaderSize ? bytes[18] : 0;
  json j{{"type", wire::message_type_json_name(type)}, {"length", bytes.size()}, {"hex", evpnd::to_hex(bytes)},
         {"errors", json::array({wire::to_json(e)})}};
  if (type < 1 || type > 5) j["type_code"] = type;
  return j;
}

wire::DecodeError length_error(std::string reason) {
  wire::DecodeError e;
  e.code = uint8_t(wire::NotifyCode::kMessageHeader);
  e.subcode = wire::subcode::kBadMessageLength;
  e.reason = std::move(reason);
  return e;
}

// One framed message -> its JSON record; `open` receives a decoded OPEN.
json message_record(ByteView bytes, const wire::DecodeContext& ctx, const wire::Open** open,
                    wire::Message& storage) {
  auto decoded = wire::decode_message(bytes, ctx);
  json j;
  if (decoded) {
    storage = std::move(*decoded);
    j = wire::to_json(storage);
    if (open != nullptr) *open = std::get_if<wire::Open>(&storage);
  } else {
    j = error_record(bytes, decoded.error());
  }
  j["length"] = bytes.size();
  return j;
}

// Concatenated whole messages (hex and raw modes). A message whose marker and length can be
// trusted is decoded (or reported) and framing goes on after it; a bad marker, a length below
// 19 or a truncated message ends the input: nothing after it can be framed.
void decode_buffer(ByteView data, const wire::DecodeContext& ctx, bool pretty) {
  size_t pos = 0;
  wire::Message storage;
  while (pos < data.size()) {
    const ByteView rest = data.subspan(pos);
    if (rest.size() < wire::kHeaderSize) {
      print(error_record(rest, length_error("truncated header: " + std::to_string(rest.size()) +
                                            " bytes left, a header has 19")), pretty);
      return;
    }
    const bool marker_ok = std::all_of(rest.begin(), rest.begin() + 16, [](uint8_t b) { return b == 0xff; });
    const size_t len = size_t(rest[16]) << 8 | rest[17];
    if (!marker_ok || len < wire::kHeaderSize) {
      auto header = wire::peek_header(rest, ctx);  // the codec's own verdict on this header
      print(error_record(rest, header ? length_error("unframeable header") : header.error()), pretty);
      return;
    }
    if (len > rest.size()) {
      print(error_record(rest, length_error("truncated message: header says " + std::to_string(len) + " bytes, " +
                                            std::to_string(rest.size()) + " present")), pretty);
      return;
    }
    print(message_record(rest.first(len), ctx, nullptr, storage), pretty);
    pos += len;
  }
}

int decode_pcap(const std::string& path, const wire::DecodeContext& defaults, bool pretty) {
  auto reader = PcapReader::open(path);
  if (!reader) {
    warn("cannot read " + path + ": " + reader.error());
    return kInputError;
  }
  if (!link_type_supported(reader->link_type())) {
    warn(path + ": unsupported link type " + std::to_string(reader->link_type()) +
         " (Ethernet, Linux cooked, raw IP and loopback are supported)");
    return kInputError;
  }
  TcpFlowTable flows;
  SessionContexts contexts(defaults);
  std::map<SkipReason, uint64_t> skipped;
  std::vector<FlowMessage> batch;
  wire::Message storage;

  auto emit = [&](const FlowMessage& fm) {
    if (fm.message.skipped_before > 0) {
      warn(fm.flow.src.to_string() + " -> " + fm.flow.dst.to_string() + ": skipped " +
           std::to_string(fm.message.skipped_before) + " bytes before the message completed by frame " +
           std::to_string(fm.message.meta.frame) + " (no BGP marker, or bytes missing from the capture)");
    }
    const wire::Open* open = nullptr;
    json j = message_record(fm.message.bytes, contexts.for_flow(fm.flow), &open, storage);
    if (open != nullptr) contexts.on_open(fm.flow, *open);
    j["frame"] = fm.message.meta.frame;
    j["src"] = fm.flow.src.to_string();
    j["dst"] = fm.flow.dst.to_string();
    j["time"] = fm.message.meta.time.to_string();
    print(j, pretty);
  };

  while (auto frame = reader->next()) {
    auto seg = parse_tcp_segment(reader->link_type(), frame->data);
    if (!seg) {
      if (seg.error() != SkipReason::kNotTcp && seg.error() != SkipReason::kNotIp) ++skipped[seg.error()];
      continue;
    }
    batch.clear();
    flows.add(*seg, SegmentMeta{frame->number, frame->time}, batch);
    for (const auto& fm : batch) emit(fm);
  }
  batch.clear();
  std::vector<std::string> warnings;
  flows.finish(batch, warnings);
  for (const auto& fm : batch) emit(fm);
  for (const auto& w : warnings) warn(w);
  for (const auto& [reason, n] : skipped) warn("ignored " + std::to_string(n) + " frames: " + to_string(reason));
  std::cout.flush();
  if (!reader->error().empty()) {
    warn(path + ": " + reader->error());
    return kInputError;
  }
  return 0;
}

int run_decode(const DecodeOptions& opt) {
  wire::DecodeContext ctx;
  ctx.four_octet_as = opt.context == "four-octet-as";
  if (opt.source == DecodeOptions::Source::kPcap) return decode_pcap(opt.pcap, ctx, opt.pretty);
  Bytes data;
  if (opt.source == DecodeOptions::Source::kRaw) {
    std::ifstream in(opt.raw, std::ios::binary);
    if (!in) {
      warn("cannot read " + opt.raw);
      return kInputError;
    }
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
      warn("cannot read " + opt.raw);
      return kInputError;
    }
  } else {
    auto parsed = evpnd::parse_hex(opt.hex);
    if (!parsed) {
      warn("--hex: not a hex string (hex digit pairs, optionally separated by spaces, ':' or '-')");
      return kInputError;
    }
    data = std::move(*parsed);
  }
  decode_buffer(data, ctx, opt.pretty);
  std::cout.flush();
  return 0;
}

}  // namespace

void add_decode_command(CLI::App& app) {
  auto opt = std::make_shared<DecodeOptions>();
  CLI::App* cmd = app.add_subcommand("decode", "Decode BGP messages offline (pcap, hex or raw) to JSON Lines");
  auto* input = cmd->add_option_group("input", "exactly one source of messages");
  CLI::Option* pcap =
      input->add_option("--pcap", opt->pcap, "pcap/pcapng capture; BGP found on any TCP port by its marker");
  input->add_option("--hex", opt->hex, "one or more whole messages as hex (spaces, ':' or '-' allowed)");
  CLI::Option* raw = input->add_option("--raw", opt->raw, "file of concatenated raw messages");
  input->require_option(1);
  cmd->add_option("--context", opt->context,
                  "AS number size until OPENs say otherwise (pcap) or for all messages (hex/raw)")
      ->check(CLI::IsMember({"four-octet-as", "two-octet-as"}))
      ->capture_default_str();
  cmd->add_flag("--pretty", opt->pretty, "indent the JSON (no longer one object per line)");
  cmd->callback([opt, pcap, raw] {
    opt->source = pcap->count() > 0 ? DecodeOptions::Source::kPcap
                  : raw->count() > 0 ? DecodeOptions::Source::kRaw
                                     : DecodeOptions::Source::kHex;
    set_exit_code(run_decode(*opt));
  });
}

}  // namespace evpnctl
