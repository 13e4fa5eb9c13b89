// EVPN multihoming filters for a plain Linux bridge, as tc (cls_bpf, direct-action) programs.
// Built with clang -target bpf by CMake and embedded in evpnd (es_filter_object.cpp); loaded and
// attached by es_filter.cpp. Design and measurements: ../shared/research/multihoming.md §3.
//
//   es_tagger        ingress of every underlay link: a UDP datagram to a VXLAN port gets
//                    skb->priority = ES_TAG_MAGIC | index(outer source IP) << 8.
//   es_port_egress   egress of an ES attachment port / a VXLAN device (its slot's flags say which).
//   es_port_ingress  ingress of an ES attachment port: drops everything while it is blocked.
//
// NOTE slots: one program may serve ports in different namespaces, whose ifindexes collide, so
// each port gets its own instance of the port programs with its slot number in .rodata
// (es_slot) and the maps shared between all instances.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "es_filter_abi.h"

char _license[] SEC("license") = "GPL";

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, ES_MAX_PEER_INDEX + 1);
  __type(key, struct es_vtep_key);
  __type(value, __u32);
} es_vteps SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16);
  __type(key, __u16);  // UDP destination port, network byte order
  __type(value, __u8);
} es_udp_ports SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, ES_MAX_SLOTS);
  __type(key, __u32);
  __type(value, struct es_port);
} es_ports SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, ES_MAX_SLOTS * ES_REASONS);
  __type(key, __u32);
  __type(value, __u64);
} es_stats SEC(".maps");

// Set by the loader before each port instance is loaded.
const volatile __u32 es_slot = 0;

static __always_inline int drop(__u32 reason) {
  __u32 k = es_slot * ES_REASONS + reason;
  __u64* c = bpf_map_lookup_elem(&es_stats, &k);
  if (c) *c += 1;  // per-CPU: no atomics needed
  return TC_ACT_SHOT;
}

static __always_inline int is_group(struct __sk_buff* skb) {
  __u8 dst0 = 0;
  if (bpf_skb_load_bytes(skb, 0, &dst0, 1)) return 0;
  return dst0 & 1;  // the I/G bit: broadcast and multicast (BUM "B" and "M")
}

SEC("tc")
int es_tagger(struct __sk_buff* skb) {
  struct es_vtep_key key = {};
  __u16 dport = 0;
  __u32 l4 = 0;
  if (skb->protocol == bpf_htons(ETH_P_IP)) {
    __u8 ip[20];
    if (bpf_skb_load_bytes(skb, ETH_HLEN, ip, sizeof(ip))) return TC_ACT_OK;
    if ((ip[0] >> 4) != 4 || ip[9] != IPPROTO_UDP) return TC_ACT_OK;
    if ((ip[6] & 0x1F) || ip[7]) return TC_ACT_OK;  // a non-first fragment has no UDP header
    l4 = ETH_HLEN + (ip[0] & 0x0F) * 4;
    key.addr[10] = 0xFF;
    key.addr[11] = 0xFF;
    __builtin_memcpy(&key.addr[12], &ip[12], 4);
  } else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
    __u8 ip6[40];
    if (bpf_skb_load_bytes(skb, ETH_HLEN, ip6, sizeof(ip6))) return TC_ACT_OK;
    if (ip6[6] != IPPROTO_UDP) return TC_ACT_OK;  // VXLAN senders use no extension headers
    l4 = ETH_HLEN + 40;
    __builtin_memcpy(key.addr, &ip6[8], 16);
  } else {
    return TC_ACT_OK;
  }
  if (bpf_skb_load_bytes(skb, l4 + 2, &dport, 2)) return TC_ACT_OK;
  if (!bpf_map_lookup_elem(&es_udp_ports, &dport)) return TC_ACT_OK;
  __u32 slot = ES_SLOT_TAGGER;
  struct es_port* self = bpf_map_lookup_elem(&es_ports, &slot);
  if (!self || !(self->flags & ES_F_ACTIVE)) return TC_ACT_OK;
  __u32* idx = bpf_map_lookup_elem(&es_vteps, &key);
  __u32 i = idx ? (*idx & 0xFF) : 0;
  skb->priority = ES_TAG_MAGIC | (i << 8);
  __u32 k = ES_SLOT_TAGGER * ES_REASONS + ES_R_TAGGED;
  __u64* c = bpf_map_lookup_elem(&es_stats, &k);
  if (c) *c += 1;
  return TC_ACT_OK;
}

SEC("tc")
int es_port_egress(struct __sk_buff* skb) {
  const __u32 prio = skb->priority;
  const int tagged = (prio & ES_TAG_MASK) == ES_TAG_MAGIC;
  if (tagged) skb->priority = 0;  // the tag has done its job; nothing downstream sees it
  __u32 slot = es_slot;
  struct es_port* p = bpf_map_lookup_elem(&es_ports, &slot);
  if (!p || !(p->flags & ES_F_ACTIVE)) return TC_ACT_OK;
  if (p->flags & ES_F_BLOCKED) return drop(ES_R_BLOCKED);
  // Frames from local ports carry no tag: they go everywhere (local bias, RFC 8365 §8.3.1).
  if (!tagged || !is_group(skb)) return TC_ACT_OK;
  if (p->flags & ES_F_VXLAN) return drop(ES_R_HAIRPIN);  // overlay BUM never back into the overlay
  // RFC 8365 §8.3.1: BUM from a PE that shares the segment is never sent to it (that PE
  // delivered it locally), whatever the DF says; BUM from any other PE follows the DF rule.
  const __u32 i = ES_TAG_INDEX(prio);
  if (i && i <= ES_MAX_PEER_INDEX && ((p->peers >> i) & 1)) return drop(ES_R_LOCAL_BIAS);
  if (p->flags & ES_F_NON_DF) return drop(ES_R_NON_DF);  // RFC 7432 §8.5
  return TC_ACT_OK;
}

SEC("tc")
int es_port_ingress(struct __sk_buff* skb) {
  __u32 slot = es_slot;
  struct es_port* p = bpf_map_lookup_elem(&es_ports, &slot);
  if (p && (p->flags & ES_F_ACTIVE) && (p->flags & ES_F_BLOCKED)) return drop(ES_R_BLOCKED);
  return TC_ACT_OK;
}
