// Decode errors carry the RFC 7606 action they imply and the NOTIFICATION they would send.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace evpnd::wire {

// RFC 7606 §2 approaches, weakest first. kSessionReset always means "send the NOTIFICATION
// in code/subcode/data, then close".
enum class ErrorAction : uint8_t {
  kAttributeDiscard = 1,  // drop the attribute, keep the rest of the UPDATE (§2)
  kTreatAsWithdraw = 2,   // every NLRI of the UPDATE becomes a withdrawal (§2)
  kAfiSafiDisable = 3,    // disable the AFI/SAFI (RFC 4760 §7); we escalate to reset
  kSessionReset = 4,      // NOTIFICATION + close (RFC 4271 §6)
};
const char* to_string(ErrorAction a);  // "attribute-discard", "treat-as-withdraw", ...

// NOTIFICATION error codes (RFC 4271 §4.5, RFC 4486, RFC 7313, RFC 8203).
enum class NotifyCode : uint8_t {
  kMessageHeader = 1,
  kOpenMessage = 2,
  kUpdateMessage = 3,
  kHoldTimerExpired = 4,
  kFsmError = 5,
  kCease = 6,
  kRouteRefresh = 7,
  kSendHoldTimerExpired = 8,  // RFC 9687
};
// Subcodes used by the codec (RFC 4271 §6.1-6.3).
namespace subcode {
inline constexpr uint8_t kConnectionNotSynchronized = 1;
inline constexpr uint8_t kBadMessageLength = 2;
inline constexpr uint8_t kBadMessageType = 3;
inline constexpr uint8_t kUnsupportedVersion = 1;
inline constexpr uint8_t kBadPeerAs = 2;
inline constexpr uint8_t kBadBgpIdentifier = 3;
inline constexpr uint8_t kUnsupportedOptionalParameter = 4;
inline constexpr uint8_t kUnacceptableHoldTime = 6;
inline constexpr uint8_t kUnsupportedCapability = 7;
inline constexpr uint8_t kMalformedAttributeList = 1;
inline constexpr uint8_t kUnrecognizedWellKnown = 2;
inline constexpr uint8_t kMissingWellKnown = 3;
inline constexpr uint8_t kAttributeFlagsError = 4;
inline constexpr uint8_t kAttributeLengthError = 5;
inline constexpr uint8_t kInvalidOrigin = 6;
inline constexpr uint8_t kInvalidNextHop = 8;
inline constexpr uint8_t kOptionalAttributeError = 9;
inline constexpr uint8_t kInvalidNetworkField = 10;
inline constexpr uint8_t kMalformedAsPath = 11;
inline constexpr uint8_t kUnspecific = 0;
// Cease (RFC 4486, RFC 8538 Hard Reset, RFC 9384 BFD Down).
inline constexpr uint8_t kCeaseMaxPrefixes = 1;
inline constexpr uint8_t kCeaseAdminShutdown = 2;
inline constexpr uint8_t kCeasePeerDeconfigured = 3;
inline constexpr uint8_t kCeaseAdminReset = 4;
inline constexpr uint8_t kCeaseConnectionRejected = 5;
inline constexpr uint8_t kCeaseOtherConfigChange = 6;
inline constexpr uint8_t kCeaseCollisionResolution = 7;
inline constexpr uint8_t kCeaseOutOfResources = 8;
inline constexpr uint8_t kCeaseHardReset = 9;
inline constexpr uint8_t kCeaseBfdDown = 10;
// ROUTE-REFRESH Message Error (RFC 7313 §5).
inline constexpr uint8_t kInvalidMessageLength = 1;
}  // namespace subcode

// Human names: "UPDATE Message Error", "Malformed AS_PATH", "Cease/Administrative Reset", ...
const char* notify_code_name(uint8_t code);
const char* notify_subcode_name(uint8_t code, uint8_t subcode);

struct DecodeError {
  ErrorAction action = ErrorAction::kSessionReset;
  uint8_t code = 0;      // NotifyCode
  uint8_t subcode = 0;
  std::vector<uint8_t> data;  // NOTIFICATION data (e.g. the offending attribute)
  std::string reason;         // one line for logs: "ORIGIN: length 2, expected 1"
  uint8_t attribute_type = 0;  // the attribute involved, 0 if none
  bool operator==(const DecodeError&) const = default;
};

}  // namespace evpnd::wire
