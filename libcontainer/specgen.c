/* specgen.c: `sbx spec`: a default config.json in the shape runc writes,
 * running busybox's `sh` on a terminal. --rootless maps the caller's ids
 * and drops what an unprivileged user cannot have (netns, gid=5, sysfs). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"

static const char caps[] = "[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]";

static const char masked[] =
  "\t\t\"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\",\n"
  "\t\t\t\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\",\n"
  "\t\t\t\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
  "\t\t\"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\",\n"
  "\t\t\t\"/proc/sysrq-trigger\"]\n";

int
sbx_spec_generate (const char *bundle_dir, bool rootless, sbx_error_t *err)
{
  _cleanup_fd_ int dirfd = open (bundle_dir ? bundle_dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *doc = NULL, *linux_ = NULL;
  char sysfs[256], devpts_gid[16] = ",\"gid=5\"";
  int n;

  if (dirfd < 0)
    return sbx_error_errno (err, "bundle `%s`", bundle_dir ? bundle_dir : ".");
  if (faccessat (dirfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return sbx_error_set (err, EEXIST, "config.json already exists in `%s`: remove it first",
                          bundle_dir ? bundle_dir : ".");
  if (rootless)
    {
      devpts_gid[0] = '\0';
      snprintf (sysfs, sizeof sysfs,
                "{\"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\", "
                "\"options\": [\"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\"]}");
      n = asprintf (&linux_,
                    "\t\t\"uidMappings\": [{\"containerID\": 0, \"hostID\": %u, \"size\": 1}],\n"
                    "\t\t\"gidMappings\": [{\"containerID\": 0, \"hostID\": %u, \"size\": 1}],\n"
                    "\t\t\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"},\n"
                    "\t\t\t{\"type\": \"mount\"}, {\"type\": \"user\"}],\n%s",
                    geteuid (), getegid (), masked);
    }
  else
    {
      snprintf (sysfs, sizeof sysfs,
                "{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", "
                "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]}");
      n = asprintf (&linux_,
                    "\t\t\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},\n"
                    "\t\t\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},\n"
                    "\t\t\t{\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}],\n%s",
                    masked);
    }
  if (n < 0)
    return sbx_error_errno (err, "asprintf");
  n = asprintf (&doc,
                "{\n"
                "\t\"ociVersion\": \"%s\",\n"
                "\t\"process\": {\n"
                "\t\t\"terminal\": true,\n"
                "\t\t\"user\": {\"uid\": 0, \"gid\": 0},\n"
                "\t\t\"args\": [\"sh\"],\n"
                "\t\t\"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\"],\n"
                "\t\t\"cwd\": \"/\",\n"
                "\t\t\"capabilities\": {\"bounding\": %s, \"effective\": %s, \"permitted\": %s},\n"
                "\t\t\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
                "\t\t\"noNewPrivileges\": true\n"
                "\t},\n"
                "\t\"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
                "\t\"hostname\": \"sbx\",\n"
                "\t\"mounts\": [\n"
                "\t\t{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
                "\t\t{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
                "\t\t\t\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
                "\t\t{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
                "\t\t\t\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"%s]},\n"
                "\t\t{\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
                "\t\t\t\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
                "\t\t{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
                "\t\t\t\"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
                "\t\t%s,\n"
                "\t\t{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
                "\t\t\t\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}\n"
                "\t],\n"
                "\t\"linux\": {\n%s\t}\n"
                "}\n",
                SBX_OCI_VERSION, caps, caps, caps, devpts_gid, sysfs, linux_);
  if (n < 0)
    return sbx_error_errno (err, "asprintf");
  return atomic_write_at (dirfd, "config.json", doc, n, 0644, err);
}
