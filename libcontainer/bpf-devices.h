/* bpf-devices.h: the cgroup v2 device allow-list. linux.resources.devices
 * (plus sbx's defaults) -> rules -> an eBPF program of
 * type BPF_PROG_TYPE_CGROUP_DEVICE -> attached to the container's cgroup.
 * Creating the cgroup itself is cgroup.c's job. */
#ifndef SBX_BPF_DEVICES_H
#define SBX_BPF_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbx.h"

struct bpf_insn;
struct spec_device;
struct spec_device_cgroup;

/* Access bits: the kernel's BPF_DEVCG_ACC_* values. */
enum
{
  BPF_DEV_MKNOD = 1,
  BPF_DEV_READ = 2,
  BPF_DEV_WRITE = 4,
  BPF_DEV_RWM = 7,
};

struct bpf_dev_rule
{
  char type;              /* 'a' (any), 'c', 'b' */
  int64_t major, minor;   /* -1: any */
  unsigned access;        /* BPF_DEV_* bits; 0 matches nothing */
  bool allow;
};

/* Rules in this order: linux.resources.devices (config order), sbx's
 * defaults (runc's: c *:* m, b *:* m, c 1:3, 1:5, 1:7, 1:8, 1:9, 5:0, 5:2,
 * 136:*, 10:200 rwm) but those whose path one of `nodes` (linux.devices)
 * lists, then `extra`. The last matching rule wins, so the defaults cannot
 * be denied by the config. A node of linux.devices gets no rule of its
 * own: access to it is what linux.resources.devices allows (as in runc;
 * engines add their allow rules). A bad type, access or number is an error
 * naming linux.resources.devices[i]. *out is malloc'ed. */
int bpf_devices_rules (const struct spec_device_cgroup *rules, size_t n,
                       const struct spec_device *nodes, size_t n_nodes,
                       const struct bpf_dev_rule *extra, size_t n_extra,
                       struct bpf_dev_rule **out, size_t *n_out,
                       sbx_error_t *err);

/* Build the program (pure). *insns is malloc'ed. */
int bpf_devices_program (const struct bpf_dev_rule *r, size_t n,
                         struct bpf_insn **insns, size_t *n_insns,
                         sbx_error_t *err);

/* Load the program and attach it to the cgroup directory fd, then detach
 * every other device program attached there, so the cgroup is never
 * without one. */
int bpf_devices_apply (int cgroup_fd, const struct bpf_dev_rule *r, size_t n,
                       sbx_error_t *err);

/* Ids of the device programs attached directly to the cgroup (*ids is
 * malloc'ed, may be NULL when *n is 0), and the attach flags. */
int bpf_devices_query (int cgroup_fd, uint32_t **ids, size_t *n,
                       uint32_t *attach_flags, sbx_error_t *err);

#endif
