// Names of RFC 7606 actions and of NOTIFICATION codes/subcodes (RFC 4271 §4.5 and §6, RFC 4486,
// RFC 5492, RFC 6608, RFC 7313, RFC 8538, RFC 9234, RFC 9384, RFC 9687), as IANA lists them.
#include "wire/error.hpp"

namespace evpnd::wire {

const char* to_string(ErrorAction a) {
  switch (a) {
    case ErrorAction::kAttributeDiscard: return "attribute-discard";
    case ErrorAction::kTreatAsWithdraw: return "treat-as-withdraw";
    case ErrorAction::kAfiSafiDisable: return "afi-safi-disable";
    case ErrorAction::kSessionReset: return "session-reset";
  }
  return "unknown";
}

const char* notify_code_name(uint8_t code) {
  switch (code) {
    case 1: return "Message Header Error";
    case 2: return "OPEN Message Error";
    case 3: return "UPDATE Message Error";
    case 4: return "Hold Timer Expired";
    case 5: return "Finite State Machine Error";
    case 6: return "Cease";
    case 7: return "ROUTE-REFRESH Message Error";
    case 8: return "Send Hold Timer Expired";
    default: return "Unknown Error";
  }
}

namespace {

const char* header_subcode(uint8_t s) {
  switch (s) {
    case 0: return "Unspecific";
    case 1: return "Connection Not Synchronized";
    case 2: return "Bad Message Length";
    case 3: return "Bad Message Type";
    default: return nullptr;
  }
}

const char* open_subcode(uint8_t s) {
  switch (s) {
    case 0: return "Unspecific";
    case 1: return "Unsupported Version Number";
    case 2: return "Bad Peer AS";
    case 3: return "Bad BGP Identifier";
    case 4: return "Unsupported Optional Parameter";
    case 5: return "Authentication Failure";  // deprecated (RFC 4271 Appendix A)
    case 6: return "Unacceptable Hold Time";
    case 7: return "Unsupported Capability";  // RFC 5492
    case 11: return "Role Mismatch";          // RFC 9234
    default: return nullptr;
  }
}

const char* update_subcode(uint8_t s) {
  switch (s) {
    case 0: return "Unspecific";
    case 1: return "Malformed Attribute List";
    case 2: return "Unrecognized Well-known Attribute";
    case 3: return "Missing Well-known Attribute";
    case 4: return "Attribute Flags Error";
    case 5: return "Attribute Length Error";
    case 6: return "Invalid ORIGIN Attribute";
    case 7: return "AS Routing Loop";  // deprecated
    case 8: return "Invalid NEXT_HOP Attribute";
    case 9: return "Optional Attribute Error";
    case 10: return "Invalid Network Field";
    case 11: return "Malformed AS_PATH";
    default: return nullptr;
  }
}

const char* fsm_subcode(uint8_t s) {  // RFC 6608
  switch (s) {
    case 0: return "Unspecified Error";
    case 1: return "Receive Unexpected Message in OpenSent State";
    case 2: return "Receive Unexpected Message in OpenConfirm State";
    case 3: return "Receive Unexpected Message in Established State";
    default: return nullptr;
  }
}

const char* cease_subcode(uint8_t s) {  // RFC 4486, RFC 8538, RFC 9384
  switch (s) {
    case 0: return "Unspecific";
    case 1: return "Maximum Number of Prefixes Reached";
    case 2: return "Administrative Shutdown";
    case 3: return "Peer De-configured";
    case 4: return "Administrative Reset";
    case 5: return "Connection Rejected";
    case 6: return "Other Configuration Change";
    case 7: return "Connection Collision Resolution";
    case 8: return "Out of Resources";
    case 9: return "Hard Reset";
    case 10: return "BFD Down";
    default: return nullptr;
  }
}

}  // namespace

const char* notify_subcode_name(uint8_t code, uint8_t subcode) {
  const char* name = nullptr;
  switch (code) {
    case 1: name = header_subcode(subcode); break;
    case 2: name = open_subcode(subcode); break;
    case 3: name = update_subcode(subcode); break;
    case 4: name = subcode == 0 ? "Unspecific" : nullptr; break;
    case 5: name = fsm_subcode(subcode); break;
    case 6: name = cease_subcode(subcode); break;
    case 7:  // RFC 7313 §5
      name = subcode == 0 ? "Reserved" : subcode == 1 ? "Invalid Message Length" : nullptr;
      break;
    case 8: name = subcode == 0 ? "Unspecific" : nullptr; break;
    default: break;
  }
  return name ? name : "Unknown Subcode";
}

}  // namespace evpnd::wire
