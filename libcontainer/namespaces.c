/* namespaces.c: which namespaces a container gets and joining existing
 * ones. The order of joins is decided by the callers (process.c for what
 * must happen in the parent, init.c for the rest). */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "namespaces.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int
ns_clone_flag (enum spec_ns_type t)
{
  switch (t)
    {
    case SPEC_NS_PID:
      return CLONE_NEWPID;
    case SPEC_NS_NETWORK:
      return CLONE_NEWNET;
    case SPEC_NS_MOUNT:
      return CLONE_NEWNS;
    case SPEC_NS_IPC:
      return CLONE_NEWIPC;
    case SPEC_NS_UTS:
      return CLONE_NEWUTS;
    case SPEC_NS_USER:
      return CLONE_NEWUSER;
    case SPEC_NS_CGROUP:
      return CLONE_NEWCGROUP;
    case SPEC_NS_TIME:
      return CLONE_NEWTIME;
    default:
      return 0;
    }
}

int
ns_new_flags (const struct sbx_spec *spec)
{
  int flags = 0;

  if (spec->linux_ == NULL)
    return 0;
  for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
    {
      const struct spec_namespace *ns = &spec->linux_->namespaces[i];
      if (ns->path == NULL && ns->type != SPEC_NS_TIME && ns->type != SPEC_NS_CGROUP)
        flags |= ns_clone_flag (ns->type);
    }
  return flags;
}

void
ns_close_fds (int fds[SPEC_NS_COUNT])
{
  for (int i = 0; i < SPEC_NS_COUNT; i++)
    if (fds[i] >= 0)
      {
        close (fds[i]);
        fds[i] = -1;
      }
}

int
ns_open_paths (const struct sbx_spec *spec, int fds[SPEC_NS_COUNT], sbx_error_t *err)
{
  for (int i = 0; i < SPEC_NS_COUNT; i++)
    fds[i] = -1;
  if (spec->linux_ == NULL)
    return 0;
  for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
    {
      const struct spec_namespace *ns = &spec->linux_->namespaces[i];
      int fd, type;

      if (ns->path == NULL)
        continue;
      fd = open (ns->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        {
          sbx_error_errno (err, "linux.namespaces[%zu]: open `%s`", i, ns->path);
          ns_close_fds (fds);
          return -1;
        }
      type = ioctl (fd, NS_GET_NSTYPE);
      if (type < 0 || type != ns_clone_flag (ns->type))
        {
          sbx_error_set (err, EINVAL, "linux.namespaces[%zu]: `%s` is not a %s namespace",
                         i, ns->path, spec_ns_type_to_string (ns->type));
          close (fd);
          ns_close_fds (fds);
          return -1;
        }
      fds[ns->type] = fd;
    }
  return 0;
}

int
ns_join (int fd, enum spec_ns_type t, sbx_error_t *err)
{
  if (setns (fd, ns_clone_flag (t)) < 0)
    return sbx_error_errno (err, "join %s namespace", spec_ns_type_to_string (t));
  return 0;
}

/* A socket of the network namespace NETNS (ours for -1): made there, it
   acts there wherever it is used. */
static int
socket_in (int netns, sbx_error_t *err)
{
  _cleanup_fd_ int self = -1;
  int fd, e;

  if (netns < 0)
    fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  else
    {
      self = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
      if (self < 0 || setns (netns, CLONE_NEWNET) < 0)
        return sbx_error_errno (err, "enter the container's network namespace");
      fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      e = errno;
      if (setns (self, CLONE_NEWNET) < 0)
        {
          if (fd >= 0)
            close (fd);
          return sbx_error_errno (err, "back to sbx's network namespace");
        }
      errno = e;
    }
  if (fd < 0)
    return sbx_error_errno (err, "socket for lo");
  return fd;
}

int
ns_loopback_up (int netns, sbx_error_t *err)
{
  struct ifreq ifr = { 0 };
  int fd = socket_in (netns, err);

  if (fd < 0)
    return -1;
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    {
      close (fd);
      return sbx_error_errno (err, "get flags of lo");
    }
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
    {
      close (fd);
      return sbx_error_errno (err, "bring lo up");
    }
  close (fd);
  return 0;
}
