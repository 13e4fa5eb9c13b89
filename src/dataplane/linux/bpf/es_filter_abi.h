/* The interface between the ES filter BPF programs (es_filter.bpf.c) and their loader
 * (es_filter.cpp): tag layout, map layouts and counter indexes. Plain C, included by both.
 *
 * NOTE tag: the underlay-ingress tagger records "this frame came from the overlay, from VTEP
 * index I" in skb->priority, which survives VXLAN decapsulation into another namespace where
 * skb->mark does not (skb_scrub_packet(xnet); ../shared/research/multihoming.md §3).
 * Layout: 0xEB in the top byte, the VTEP index in bits 8..15, the low byte 0 so that a tag that
 * reaches a non-ES port selects the same pfifo_fast band as priority 0 (prio2band[p & 15]).
 */
#ifndef EVPND_ES_FILTER_ABI_H
#define EVPND_ES_FILTER_ABI_H

#include <linux/types.h>

#define ES_TAG_MAGIC 0xEB000000u
#define ES_TAG_MASK 0xFFFF00FFu      /* magic byte + the bits that must be zero */
#define ES_TAG_INDEX(p) (((p) >> 8) & 0xFFu)

/* VTEP indexes 1..63 (bit i of es_port.peers); 0 = a VTEP that shares no local segment. */
#define ES_MAX_PEER_INDEX 63
/* Programmed ports (ES attachment circuits and VXLAN devices), i.e. array slots. Slot 0 is the
 * tagger's own: its flags switch tagging on (ES_F_ACTIVE) and its counter ES_R_TAGGED counts the
 * frames it tagged. The tagger thereby uses all four maps, so a restarted loader finds them all
 * from the tagger's program (prog info -> map ids). */
#define ES_MAX_SLOTS 1024
#define ES_SLOT_TAGGER 0

/* es_port.flags */
#define ES_F_ACTIVE 1u   /* the slot is in use */
#define ES_F_NON_DF 2u   /* RFC 7432 §8.5: BUM from the overlay does not leave this port */
#define ES_F_BLOCKED 4u  /* single-active non-DF (RFC 7432 §14.1.1): nothing in or out */
#define ES_F_VXLAN 8u    /* the slot is a VXLAN device: overlay BUM never goes back out */

/* Drop reasons (counter index = slot * ES_REASONS + reason). */
#define ES_R_NON_DF 0
#define ES_R_LOCAL_BIAS 1
#define ES_R_BLOCKED 2
#define ES_R_HAIRPIN 3
#define ES_REASONS 4
#define ES_R_TAGGED 0    /* slot ES_SLOT_TAGGER: frames tagged (not a drop) */

/* es_ports value, one per slot. The programs read flags and peers; the rest is the loader's
 * record, so a restarted evpnd can adopt the filters without any state of its own. */
struct es_port {
  __u32 flags;
  __u32 ifindex;        /* in the port's namespace (ifindexes are per namespace) */
  __u64 peers;          /* bit i: BUM tagged with VTEP index i is dropped (RFC 8365 §8.3.1) */
  __u32 vni;
  __u8 esi[10];
  __u8 pad[2];
  char name[16];        /* IFNAMSIZ */
};

/* es_vteps key: the outer source address; IPv4 as ::ffff:a.b.c.d. Value: __u32 index. */
struct es_vtep_key {
  __u8 addr[16];
};

#endif
