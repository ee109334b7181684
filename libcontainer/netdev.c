/* netdev.c: linux.netDevices (runtime-spec 1.2). The parent moves each
 * named host interface into the container's network namespace over
 * rtnetlink (RTM_NEWLINK with IFLA_NET_NS_FD and the new IFLA_IFNAME),
 * then, through a netlink socket opened inside that namespace, puts back
 * its permanent global addresses (a move drops them) and sets it up, all
 * while the init still waits, before it builds the rootfs or runs
 * anything of the container's. The kernel renames the device only once it
 * is in the target namespace: a name taken there is checked first, or the
 * failed rename would leave the device in a namespace about to die.
 *
 * Nothing moves a device back: when the network namespace dies the kernel
 * returns physical devices to the host's (under their container name,
 * "devN" on a clash) and destroys virtual ones (dummy, veth, macvlan), as
 * the spec says it must be. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "netdev.h"

#define NL_BUF 32768

struct nl_req
{
  struct nlmsghdr h;
  char data[1024];
};

/* A permanent global address of the device, kept to be put back. */
struct saved_addr
{
  struct ifaddrmsg ifa;
  unsigned char local[16], address[16], broadcast[16];
  int local_len, address_len, broadcast_len;
};

static const char *
target_name (const struct spec_net_device *d)
{
  return d->name != NULL && d->name[0] != '\0' ? d->name : d->host_name;
}

/* The kernel's dev_valid_name, with a "%d" template allowed (the kernel
   then picks a free name). */
static bool
valid_ifname (const char *n)
{
  if (n[0] == '\0' || strlen (n) >= IFNAMSIZ || strcmp (n, ".") == 0 || strcmp (n, "..") == 0)
    return false;
  for (const char *p = n; *p; p++)
    if (*p == '/' || *p == ':' || *p == ' ' || *p == '\t' || *p == '\n')
      return false;
  return true;
}

int
netdev_check (const struct sbx_spec *spec, sbx_error_t *err)
{
  const struct spec_linux *l = spec->linux_;
  const struct spec_namespace *net = spec_linux_namespace (spec, SPEC_NS_NETWORK);
  const struct spec_namespace *user = spec_linux_namespace (spec, SPEC_NS_USER);

  if (l->n_net_devices == 0)
    return 0;
  if (net == NULL)
    return sbx_error_set (err, EINVAL, "linux.netDevices: needs a network namespace of the container's own");
  if (geteuid () != 0)
    return sbx_error_set (err, EPERM, "linux.netDevices: moving a host interface needs root");
  if (user != NULL && user->path != NULL && net->path == NULL)
    return sbx_error_set (err, ENOTSUP, "linux.netDevices: not supported with a joined user namespace "
                          "and a new network namespace");
  for (size_t i = 0; i < l->n_net_devices; i++)
    {
      const struct spec_net_device *d = &l->net_devices[i];
      if (!valid_ifname (d->host_name) || if_nametoindex (d->host_name) == 0)
        return sbx_error_set (err, ENODEV, "linux.netDevices.%.32s: no such interface on the host",
                              d->host_name);
      if (!valid_ifname (target_name (d)))
        return sbx_error_set (err, EINVAL, "linux.netDevices.%.32s.name: `%.32s` is not a valid interface name",
                              d->host_name, target_name (d));
      for (size_t j = 0; j < i; j++)
        if (strcmp (target_name (&l->net_devices[j]), target_name (d)) == 0 && strchr (target_name (d), '%') == NULL)
          return sbx_error_set (err, EINVAL, "linux.netDevices.%.32s.name: `%.32s` given twice", d->host_name,
                                target_name (d));
    }
  return 0;
}

/* ---- rtnetlink ---- */

static int
nl_open (sbx_error_t *err)
{
  int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0)
    return sbx_error_errno (err, "rtnetlink socket");
  return fd;
}

static void *
req_put (struct nl_req *r, unsigned short type, const void *data, size_t len)
{
  struct rtattr *a = (struct rtattr *) ((char *) &r->h + NLMSG_ALIGN (r->h.nlmsg_len));
  a->rta_type = type;
  a->rta_len = RTA_LENGTH (len);
  if (len > 0)
    memcpy (RTA_DATA (a), data, len);
  r->h.nlmsg_len = NLMSG_ALIGN (r->h.nlmsg_len) + RTA_ALIGN (a->rta_len);
  return RTA_DATA (a);
}

static void
req_init (struct nl_req *r, unsigned short type, unsigned short flags, const void *body, size_t len)
{
  static unsigned seq;
  memset (r, 0, sizeof *r);
  r->h.nlmsg_len = NLMSG_LENGTH (len);
  r->h.nlmsg_type = type;
  r->h.nlmsg_flags = NLM_F_REQUEST | flags;
  r->h.nlmsg_seq = ++seq;
  memcpy (NLMSG_DATA (&r->h), body, len);
}

/* Send a request; for each reply message call cb (may be NULL). Returns
   -1 with errno set from the kernel's NLMSG_ERROR. */
static int
nl_talk (int fd, struct nl_req *r, int (*cb) (struct nlmsghdr *, void *), void *arg)
{
  _cleanup_free_ char *buf = malloc (NL_BUF);
  bool dump = (r->h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

  if (buf == NULL)
    return -1;
  r->h.nlmsg_flags |= dump ? 0 : NLM_F_ACK;
  if (send (fd, r, r->h.nlmsg_len, 0) < 0)
    return -1;
  for (;;)
    {
      ssize_t n = recv (fd, buf, NL_BUF, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK (h, (size_t) n); h = NLMSG_NEXT (h, n))
        {
          if (h->nlmsg_seq != r->h.nlmsg_seq)
            continue;
          if (h->nlmsg_type == NLMSG_DONE)
            return 0;
          if (h->nlmsg_type == NLMSG_ERROR)
            {
              const struct nlmsgerr *e = NLMSG_DATA (h);
              if (e->error == 0)
                return 0;
              errno = -e->error;
              return -1;
            }
          if (cb != NULL && cb (h, arg) < 0)
            return -1;
          if (!dump)
            return 0;
        }
    }
}

struct addr_list
{
  int ifindex;
  struct saved_addr *v;
  size_t n;
};

static int
collect_addr (struct nlmsghdr *h, void *arg)
{
  struct addr_list *l = arg;
  struct ifaddrmsg *ifa = NLMSG_DATA (h);
  int len = (int) IFA_PAYLOAD (h);
  uint32_t flags = ifa->ifa_flags;
  struct saved_addr s = { .ifa = *ifa };
  struct saved_addr *nv;

  if (h->nlmsg_type != RTM_NEWADDR || (int) ifa->ifa_index != l->ifindex)
    return 0;
  for (struct rtattr *a = IFA_RTA (ifa); RTA_OK (a, len); a = RTA_NEXT (a, len))
    {
      int alen = (int) RTA_PAYLOAD (a);
      if (a->rta_type == IFA_FLAGS && alen == sizeof flags)
        memcpy (&flags, RTA_DATA (a), sizeof flags);
      else if (a->rta_type == IFA_LOCAL && alen <= 16)
        memcpy (s.local, RTA_DATA (a), s.local_len = alen);
      else if (a->rta_type == IFA_ADDRESS && alen <= 16)
        memcpy (s.address, RTA_DATA (a), s.address_len = alen);
      else if (a->rta_type == IFA_BROADCAST && alen <= 16)
        memcpy (s.broadcast, RTA_DATA (a), s.broadcast_len = alen);
    }
  /* The spec: permanent addresses of global scope only. */
  if (!(flags & IFA_F_PERMANENT) || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
    return 0;
  nv = realloc (l->v, (l->n + 1) * sizeof *nv);
  if (nv == NULL)
    return -1;
  l->v = nv;
  l->v[l->n++] = s;
  return 0;
}

static int
save_addrs (int fd, int ifindex, struct addr_list *l)
{
  struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
  struct nl_req r;

  l->ifindex = ifindex;
  req_init (&r, RTM_GETADDR, NLM_F_DUMP, &g, sizeof g);
  return nl_talk (fd, &r, collect_addr, l);
}

static int
restore_addr (int fd, int ifindex, const struct saved_addr *s)
{
  struct ifaddrmsg ifa = s->ifa;
  struct nl_req r;

  ifa.ifa_index = (unsigned) ifindex;
  req_init (&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
  if (s->local_len > 0)
    req_put (&r, IFA_LOCAL, s->local, s->local_len);
  if (s->address_len > 0)
    req_put (&r, IFA_ADDRESS, s->address, s->address_len);
  if (s->broadcast_len > 0)
    req_put (&r, IFA_BROADCAST, s->broadcast, s->broadcast_len);
  return nl_talk (fd, &r, NULL, NULL);
}

static int
move_link (int fd, int ifindex, int netns_fd, const char *name)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
  struct nl_req r;
  uint32_t nsfd = (uint32_t) netns_fd;

  req_init (&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
  req_put (&r, IFLA_NET_NS_FD, &nsfd, sizeof nsfd);
  req_put (&r, IFLA_IFNAME, name, strlen (name) + 1);
  return nl_talk (fd, &r, NULL, NULL);
}

static int
link_index (struct nlmsghdr *h, void *arg)
{
  if (h->nlmsg_type == RTM_NEWLINK)
    *(int *) arg = ((struct ifinfomsg *) NLMSG_DATA (h))->ifi_index;
  return 0;
}

/* The moved device's index in the container's namespace: by name, or
   for a "%d" template, by its old index (kept unless taken there). */
static int
find_moved (int fd, const char *name, int old_index)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  struct nl_req r;
  int index = 0;

  if (strchr (name, '%') != NULL)
    ifi.ifi_index = old_index;
  req_init (&r, RTM_GETLINK, 0, &ifi, sizeof ifi);
  if (strchr (name, '%') == NULL)
    req_put (&r, IFLA_IFNAME, name, strlen (name) + 1);
  if (nl_talk (fd, &r, link_index, &index) < 0)
    return -1;
  return index;
}

static int
set_up (int fd, int ifindex)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = IFF_UP,
                           .ifi_change = IFF_UP };
  struct nl_req r;

  req_init (&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
  return nl_talk (fd, &r, NULL, NULL);
}

/* A netlink socket that lives in the namespace netns_fd: made there, the
   parent then back in its own. */
static int
nl_open_in (int netns_fd, sbx_error_t *err)
{
  _cleanup_fd_ int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int fd;

  if (self < 0)
    return sbx_error_errno (err, "open /proc/self/ns/net");
  if (setns (netns_fd, CLONE_NEWNET) < 0)
    return sbx_error_errno (err, "enter the container's network namespace");
  fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (setns (self, CLONE_NEWNET) < 0)
    {
      /* Never go on in the container's namespace. */
      if (fd >= 0)
        close (fd);
      return sbx_error_errno (err, "return to the host's network namespace");
    }
  if (fd < 0)
    return sbx_error_errno (err, "rtnetlink socket in the container's network namespace");
  return fd;
}

static int
move_one (int hs, int cs, int netns_fd, const struct spec_net_device *d, sbx_error_t *err)
{
  const char *name = target_name (d);
  int old = (int) if_nametoindex (d->host_name), index;
  struct addr_list addrs = { 0 };
  int r = -1;

  if (old == 0)
    return sbx_error_errno (err, "no such interface on the host");
  if (strchr (name, '%') == NULL && find_moved (cs, name, old) > 0)
    sbx_error_set (err, EEXIST, "the container's network namespace has an interface `%s` already", name);
  else if (save_addrs (hs, old, &addrs) < 0)
    sbx_error_errno (err, "read its addresses");
  else if (move_link (hs, old, netns_fd, name) < 0)
    sbx_error_errno (err, "move it into the container's network namespace as `%s`", name);
  else if ((index = find_moved (cs, name, old)) <= 0)
    sbx_error_set (err, index < 0 ? errno : ENODEV, "find it in the container's network namespace");
  else
    {
      r = 0;
      for (size_t i = 0; i < addrs.n && r == 0; i++)
        if (restore_addr (cs, index, &addrs.v[i]) < 0)
          r = sbx_error_errno (err, "restore an address");
      if (r == 0 && set_up (cs, index) < 0)
        r = sbx_error_errno (err, "set it up");
    }
  free (addrs.v);
  return r;
}

int
netdev_move_all (const struct sbx_spec *spec, pid_t pid, int joined_netns_fd, sbx_error_t *err)
{
  const struct spec_linux *l = spec->linux_;
  _cleanup_fd_ int own = -1, hs = -1, cs = -1;
  int netns_fd = joined_netns_fd;

  if (l->n_net_devices == 0)
    return 0;
  if (netns_fd < 0)
    {
      char path[64];
      /* pid is our child, not yet reaped: the number cannot be reused. */
      snprintf (path, sizeof path, "/proc/%d/ns/net", (int) pid);
      own = open (path, O_RDONLY | O_CLOEXEC);
      if (own < 0)
        return sbx_error_errno (err, "linux.netDevices: open %s", path);
      netns_fd = own;
    }
  if ((hs = nl_open (err)) < 0 || (cs = nl_open_in (netns_fd, err)) < 0)
    return sbx_error_wrap (err, "linux.netDevices");
  for (size_t i = 0; i < l->n_net_devices; i++)
    if (move_one (hs, cs, netns_fd, &l->net_devices[i], err) < 0)
      return sbx_error_wrap (err, "linux.netDevices.%s", l->net_devices[i].host_name);
  return 0;
}
