/* bpf_devices_fixture.h: device rules shared by test_bpf_devices.c and
 * test_bpf_devices_kernel.c. */
#ifndef SBX_BPF_DEVICES_FIXTURE_H
#define SBX_BPF_DEVICES_FIXTURE_H

#include "spec.h"

#define DEV(allow_, type_, maj, min, acc)                                     \
  {                                                                           \
    .allow = (allow_), .type = (type_), .has_major = (maj) != -1,             \
    .major = (maj), .has_minor = (min) != -1, .minor = (min), .access = (acc) \
  }

/* Docker's default list (the defaults add tty, ptmx, pts and full). */
static struct spec_device_cgroup docker_rules[] __attribute__ ((unused)) = {
  DEV (false, NULL, -1, -1, "rwm"),
  DEV (true, "c", 1, 5, "rwm"), DEV (true, "c", 1, 3, "rwm"),
  DEV (true, "c", 1, 9, "rwm"), DEV (true, "c", 1, 8, "rwm"),
  DEV (true, "c", 5, 0, "rwm"), DEV (true, "c", 5, 1, "rwm"),
  DEV (false, "c", 10, 229, "rwm"),
};
#define N_DOCKER (sizeof docker_rules / sizeof docker_rules[0])

#endif
