/* test_spec.c: unit tests for the config.json parser (libcontainer/spec*.c):
 * values, required keys, types and ranges with the JSON path in the error,
 * absent vs zero, document limits, and the standalone process/resources
 * parsers. JSON fixtures use ' for " to stay readable; json() converts. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "spec.h"
#include "unit.h"

static char *
json (const char *s)
{
  char *r = strdup (s), *p;

  if (r == NULL)
    abort ();
  for (p = r; *p; p++)
    if (*p == '\'')
      *p = '"';
  return r;
}

static struct sbx_spec *
parse (const char *s, sbx_error_t *err)
{
  char *j = json (s);
  struct sbx_spec *spec = spec_parse (j, strlen (j), err);

  free (j);
  return spec;
}

/* A minimal valid document with extra top-level members. */
#define DOC(...) "{'ociVersion':'1.2.0'" __VA_ARGS__ "}"
#define PROC_OK "'args':['/bin/sh'],'cwd':'/'"

#define EXPECT_ERR(doc, want)                                                 \
  do                                                                          \
    {                                                                         \
      sbx_error_t e_ = { 0, NULL };                                           \
      struct sbx_spec *s_ = parse (doc, &e_);                                 \
      CHECK (s_ == NULL);                                                     \
      CHECK_STREQ (e_.msg, want);                                             \
      spec_free (s_);                                                         \
      sbx_error_free (&e_);                                                   \
    }                                                                         \
  while (0)

#define EXPECT_OK(doc)                                                        \
  do                                                                          \
    {                                                                         \
      sbx_error_t e_ = { 0, NULL };                                           \
      struct sbx_spec *s_ = parse (doc, &e_);                                 \
      CHECK (s_ != NULL);                                                     \
      CHECK_STREQ (e_.msg, NULL);                                             \
      spec_free (s_);                                                         \
      sbx_error_free (&e_);                                                   \
    }                                                                         \
  while (0)

/* engine-calls.md section 7: `docker run --rm sbx-busybox /bin/echo base`. */
static const char docker_config[] = "{"
  "'ociVersion':'1.0.2-dev',"
  "'process':{"
  "  'user':{'uid':0,'gid':0,'additionalGids':[0]},"
  "  'args':['/bin/echo','base'],"
  "  'env':['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',"
  "         'HOSTNAME=0123456789ab'],"
  "  'cwd':'/',"
  "  'capabilities':{"
  "    'bounding':['CAP_CHOWN','CAP_DAC_OVERRIDE','CAP_FSETID','CAP_FOWNER',"
  "      'CAP_MKNOD','CAP_NET_RAW','CAP_SETGID','CAP_SETUID','CAP_SETFCAP',"
  "      'CAP_SETPCAP','CAP_NET_BIND_SERVICE','CAP_SYS_CHROOT','CAP_KILL',"
  "      'CAP_AUDIT_WRITE'],"
  "    'effective':['CAP_CHOWN','CAP_KILL'],"
  "    'permitted':['CAP_CHOWN','CAP_KILL']},"
  "  'oomScoreAdj':0},"
  "'root':{'path':'/var/lib/docker/overlay2/abc/merged'},"
  "'hostname':'0123456789ab',"
  "'mounts':["
  "  {'destination':'/proc','type':'proc','source':'proc',"
  "   'options':['nosuid','noexec','nodev']},"
  "  {'destination':'/dev','type':'tmpfs','source':'tmpfs',"
  "   'options':['nosuid','strictatime','mode=755','size=65536k']},"
  "  {'destination':'/dev/pts','type':'devpts','source':'devpts',"
  "   'options':['nosuid','noexec','newinstance','ptmxmode=0666','mode=0620','gid=5']},"
  "  {'destination':'/sys','type':'sysfs','source':'sysfs',"
  "   'options':['nosuid','noexec','nodev','ro']},"
  "  {'destination':'/sys/fs/cgroup','type':'cgroup','source':'cgroup',"
  "   'options':['ro','nosuid','noexec','nodev']},"
  "  {'destination':'/dev/mqueue','type':'mqueue','source':'mqueue',"
  "   'options':['nosuid','noexec','nodev']},"
  "  {'destination':'/dev/shm','type':'tmpfs','source':'shm',"
  "   'options':['nosuid','noexec','nodev','mode=1777','size=67108864']},"
  "  {'destination':'/etc/resolv.conf','type':'bind',"
  "   'source':'/var/lib/docker/containers/abc/resolv.conf','options':['rbind','rprivate']},"
  "  {'destination':'/etc/hostname','type':'bind',"
  "   'source':'/var/lib/docker/containers/abc/hostname','options':['rbind','rprivate']},"
  "  {'destination':'/etc/hosts','type':'bind',"
  "   'source':'/var/lib/docker/containers/abc/hosts','options':['rbind','rprivate']}"
  "],"
  "'hooks':{'prestart':[{'path':'/proc/1234/exe',"
  "  'args':['libnetwork-setkey','-exec-root=/var/run/docker','abc','0123456789ab']}]},"
  "'linux':{"
  "  'sysctl':{'net.ipv4.ip_unprivileged_port_start':'0',"
  "            'net.ipv4.ping_group_range':'0 2147483647'},"
  "  'resources':{"
  "    'devices':["
  "      {'allow':false,'access':'rwm'},"
  "      {'allow':true,'type':'c','major':1,'minor':5,'access':'rwm'},"
  "      {'allow':true,'type':'c','major':1,'minor':3,'access':'rwm'},"
  "      {'allow':false,'type':'c','major':10,'minor':229,'access':'rwm'}],"
  "    'memory':{'disableOOMKiller':false},"
  "    'cpu':{'shares':0},"
  "    'blockIO':{'weight':0}},"
  "  'cgroupsPath':'/docker/abc',"
  "  'namespaces':[{'type':'mount'},{'type':'network'},{'type':'uts'},"
  "                {'type':'pid'},{'type':'ipc'}],"
  "  'seccomp':{"
  "    'defaultAction':'SCMP_ACT_ERRNO',"
  "    'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86','SCMP_ARCH_X32'],"
  "    'syscalls':["
  "      {'names':['accept','accept4','access','chown32','openat2'],"
  "       'action':'SCMP_ACT_ALLOW'},"
  "      {'names':['personality'],'action':'SCMP_ACT_ALLOW',"
  "       'args':[{'index':0,'value':4294967295,'op':'SCMP_CMP_EQ'}]},"
  "      {'names':['clone'],'action':'SCMP_ACT_ALLOW',"
  "       'args':[{'index':0,'value':2114060288,'op':'SCMP_CMP_MASKED_EQ'}]},"
  "      {'names':['clone3'],'action':'SCMP_ACT_ERRNO','errnoRet':38}]},"
  "  'maskedPaths':['/proc/asound','/proc/acpi','/proc/kcore','/proc/keys',"
  "    '/proc/latency_stats','/proc/timer_list','/proc/timer_stats',"
  "    '/proc/sched_debug','/proc/scsi','/sys/firmware'],"
  "  'readonlyPaths':['/proc/bus','/proc/fs','/proc/irq','/proc/sys',"
  "    '/proc/sysrq-trigger']"
  "}}";

UNIT_TEST (docker_config)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s = parse (docker_config, &err);
  struct spec_process *p;
  struct spec_linux *l;
  struct spec_resources *r;

  CHECK_STREQ (err.msg, NULL);
  REQUIRE (s != NULL);
  CHECK_STREQ (s->oci_version, "1.0.2-dev");
  CHECK_STREQ (s->hostname, "0123456789ab");
  CHECK (s->domainname == NULL);
  CHECK_INTEQ (s->annotations.n, 0);

  p = s->process;
  REQUIRE (p != NULL);
  CHECK (!p->terminal);
  CHECK_INTEQ (p->user.uid, 0);
  CHECK_INTEQ (p->user.n_additional_gids, 1);
  CHECK_INTEQ (p->args.n, 2);
  CHECK_STREQ (p->args.v[1], "base");
  CHECK (p->args.v[2] == NULL);
  CHECK_INTEQ (p->env.n, 2);
  CHECK_STREQ (p->cwd, "/");
  REQUIRE (p->capabilities != NULL);
  CHECK (p->capabilities->has_bounding);
  CHECK_INTEQ (p->capabilities->bounding.n, 14);
  CHECK_STREQ (p->capabilities->bounding.v[13], "CAP_AUDIT_WRITE");
  CHECK (p->capabilities->has_effective && p->capabilities->has_permitted);
  CHECK (!p->capabilities->has_inheritable && !p->capabilities->has_ambient);
  CHECK (p->has_oom_score_adj);
  CHECK_INTEQ (p->oom_score_adj, 0);
  CHECK (!p->has_console_size && !p->user.has_umask);
  CHECK (p->rlimits == NULL && p->n_rlimits == 0);
  CHECK (p->apparmor_profile == NULL && p->scheduler == NULL);

  REQUIRE (s->root != NULL);
  CHECK_STREQ (s->root->path, "/var/lib/docker/overlay2/abc/merged");
  CHECK (!s->root->readonly);

  REQUIRE (s->n_mounts == 10);
  CHECK_STREQ (s->mounts[0].destination, "/proc");
  CHECK_STREQ (s->mounts[2].options.v[3], "ptmxmode=0666");
  CHECK_STREQ (s->mounts[9].source, "/var/lib/docker/containers/abc/hosts");
  CHECK_INTEQ (s->mounts[9].uid_mappings.n, 0);

  REQUIRE (s->hooks != NULL);
  REQUIRE (s->hooks->prestart.n == 1);
  CHECK_STREQ (s->hooks->prestart.v[0].path, "/proc/1234/exe");
  CHECK_INTEQ (s->hooks->prestart.v[0].args.n, 4);
  CHECK_INTEQ (s->hooks->prestart.v[0].env.n, 0);
  CHECK (!s->hooks->prestart.v[0].has_timeout);
  CHECK_INTEQ (s->hooks->poststop.n, 0);

  l = s->linux_;
  REQUIRE (l != NULL);
  CHECK_INTEQ (l->sysctl.n, 2);
  CHECK_STREQ (l->sysctl.keys[1], "net.ipv4.ping_group_range");
  CHECK_STREQ (l->sysctl.values[1], "0 2147483647");
  CHECK_STREQ (l->cgroups_path, "/docker/abc");
  REQUIRE (l->n_namespaces == 5);
  CHECK_INTEQ (l->namespaces[0].type, SPEC_NS_MOUNT);
  CHECK_INTEQ (l->namespaces[4].type, SPEC_NS_IPC);
  CHECK (l->namespaces[1].path == NULL);
  CHECK_INTEQ (l->n_devices, 0);
  CHECK_INTEQ (l->masked_paths.n, 10);
  CHECK_STREQ (l->readonly_paths.v[4], "/proc/sysrq-trigger");

  r = l->resources;
  REQUIRE (r != NULL);
  REQUIRE (r->n_devices == 4);
  CHECK (!r->devices[0].allow);
  CHECK (r->devices[0].type == NULL && !r->devices[0].has_major);
  CHECK_STREQ (r->devices[0].access, "rwm");
  CHECK (r->devices[1].allow && r->devices[1].has_major);
  CHECK_INTEQ (r->devices[3].major, 10);
  CHECK_INTEQ (r->devices[3].minor, 229);
  REQUIRE (r->memory != NULL);
  CHECK (r->memory->has_disable_oom_killer && !r->memory->disable_oom_killer);
  CHECK (!r->memory->has_limit && !r->memory->has_swap);
  REQUIRE (r->cpu != NULL);
  CHECK (r->cpu->has_shares && r->cpu->shares == 0 && !r->cpu->has_quota);
  REQUIRE (r->block_io != NULL);
  CHECK (r->block_io->has_weight && r->block_io->weight == 0);
  CHECK (!r->has_pids_limit && r->network == NULL);

  REQUIRE (l->seccomp != NULL);
  CHECK_STREQ (l->seccomp->default_action, "SCMP_ACT_ERRNO");
  CHECK (!l->seccomp->has_default_errno_ret);
  CHECK_INTEQ (l->seccomp->architectures.n, 3);
  REQUIRE (l->seccomp->n_syscalls == 4);
  CHECK_INTEQ (l->seccomp->syscalls[0].names.n, 5);
  CHECK_STREQ (l->seccomp->syscalls[0].names.v[3], "chown32");
  REQUIRE (l->seccomp->syscalls[1].n_args == 1);
  CHECK_UINTEQ (l->seccomp->syscalls[1].args[0].value, 4294967295u);
  CHECK_UINTEQ (l->seccomp->syscalls[1].args[0].value_two, 0);
  CHECK_STREQ (l->seccomp->syscalls[2].args[0].op, "SCMP_CMP_MASKED_EQ");
  CHECK (l->seccomp->syscalls[3].has_errno_ret);
  CHECK_INTEQ (l->seccomp->syscalls[3].errno_ret, 38);
  CHECK (!l->seccomp->syscalls[0].has_errno_ret);

  CHECK (spec_linux_namespace (s, SPEC_NS_PID) == &l->namespaces[3]);
  CHECK (spec_linux_namespace (s, SPEC_NS_USER) == NULL);
  spec_free (s);
}

/* Every field not in the docker config, with non-default values. */
static const char full_config[] = "{"
  "'ociVersion':'1.2.0',"
  "'domainname':'example.org',"
  "'annotations':{'a':'1','b':''},"
  "'process':{'terminal':true,'consoleSize':{'height':25,'width':80},"
  "  'user':{'uid':1000,'gid':1001,'umask':18,'additionalGids':[5,4294967295],"
  "          'username':'me'},"
  "  'args':['sh'],'commandLine':'sh -c x','cwd':'/tmp',"
  "  'capabilities':{'inheritable':[],'ambient':['CAP_KILL']},"
  "  'rlimits':[{'type':'RLIMIT_NOFILE','soft':100,'hard':200},"
  "             {'type':'RLIMIT_CORE','soft':18446744073709551615,"
  "              'hard':18446744073709551615}],"
  "  'noNewPrivileges':true,'apparmorProfile':'docker-default',"
  "  'oomScoreAdj':-1000,'selinuxLabel':'system_u:system_r:svirt_lxc_net_t:s0',"
  "  'scheduler':{'policy':'SCHED_DEADLINE','nice':-20,'priority':1,"
  "    'flags':['SCHED_FLAG_RESET_ON_FORK'],'runtime':1000,'deadline':2000,"
  "    'period':3000},"
  "  'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':4},"
  "  'execCPUAffinity':{'initial':'0-1','final':'2'}},"
  "'root':{'path':'rootfs','readonly':true},"
  "'mounts':[{'destination':'/data','type':'bind','source':'/srv',"
  "  'options':['rbind','idmap'],"
  "  'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
  "  'gidMappings':[{'containerID':0,'hostID':200000,'size':1}]}],"
  "'hooks':{'createRuntime':[{'path':'/a','timeout':5}],"
  "  'createContainer':[{'path':'/b','env':['X=1']}],"
  "  'startContainer':[{'path':'/c'}],'poststart':[{'path':'/d'}],"
  "  'poststop':[{'path':'/e'},{'path':'/f'}]},"
  "'linux':{"
  "  'namespaces':[{'type':'user'},{'type':'cgroup'},{'type':'time'},"
  "                {'type':'network','path':'/var/run/netns/x'}],"
  "  'uidMappings':[{'containerID':0,'hostID':1000,'size':1},"
  "                 {'containerID':1,'hostID':100000,'size':65535}],"
  "  'gidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
  "  'timeOffsets':{'monotonic':{'secs':-5,'nanosecs':7},"
  "                 'boottime':{'secs':9223372036854775807}},"
  "  'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,"
  "              'fileMode':438,'uid':0,'gid':0},"
  "             {'path':'/dev/myfifo','type':'p'}],"
  "  'netDevices':{'eth1':{'name':'ns1'},'eth2':{}},"
  "  'resources':{"
  "    'memory':{'limit':-1,'reservation':33554432,'swap':-9223372036854775808,"
  "      'kernel':0,'kernelTCP':1,'swappiness':60,'useHierarchy':true,"
  "      'checkBeforeUpdate':false},"
  "    'cpu':{'shares':18446744073709551615,'quota':-1,'burst':10,"
  "      'period':100000,'realtimeRuntime':950000,'realtimePeriod':1000000,"
  "      'cpus':'2-3','mems':'0','idle':1},"
  "    'blockIO':{'weight':10,'leafWeight':1000,"
  "      'weightDevice':[{'major':8,'minor':0,'weight':500,'leafWeight':300},"
  "                      {'major':8,'minor':16,'weight':65535}],"
  "      'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':600}],"
  "      'throttleWriteBpsDevice':[{'major':8,'minor':1,"
  "                                 'rate':18446744073709551615}],"
  "      'throttleReadIOPSDevice':[{'major':8,'minor':2,'rate':3}],"
  "      'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':300}]},"
  "    'hugepageLimits':[{'pageSize':'2MB','limit':209715200},"
  "                      {'pageSize':'1GB','limit':18446744073709551615}],"
  "    'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500}]},"
  "    'pids':{'limit':-1},"
  "    'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000},"
  "            'rxe3':{'hcaObjects':1}},"
  "    'unified':{'io.max':'259:0 rbps=2097152','memory.high':'max'}},"
  "  'rootfsPropagation':'slave',"
  "  'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,"
  "    'flags':['SECCOMP_FILTER_FLAG_LOG'],'listenerPath':'/run/agent.sock',"
  "    'listenerMetadata':'meta',"
  "    'syscalls':[{'names':['mount'],'action':'SCMP_ACT_NOTIFY',"
  "      'args':[{'index':5,'value':18446744073709551615,"
  "               'valueTwo':18446744073709551614,'op':'SCMP_CMP_GE'}]}]},"
  "  'mountLabel':'system_u:object_r:svirt_sandbox_file_t:s0',"
  "  'intelRdt':{'closID':'guaranteed_group','l3CacheSchema':'L3:0=7f0',"
  "              'memBwSchema':'MB:0=20','enableCMT':true,'enableMBM':false},"
  "  'personality':{'domain':'LINUX32','flags':[]}"
  "}}";

UNIT_TEST (full_config_process_and_top_level)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s = parse (full_config, &err);
  struct spec_process *p;

  CHECK_STREQ (err.msg, NULL);
  REQUIRE (s != NULL);
  CHECK_STREQ (s->domainname, "example.org");
  REQUIRE (s->annotations.n == 2);
  CHECK_STREQ (s->annotations.keys[0], "a");
  CHECK_STREQ (s->annotations.values[1], "");
  p = s->process;
  REQUIRE (p != NULL);
  CHECK (p->terminal && p->has_console_size);
  CHECK_INTEQ (p->console_height, 25);
  CHECK_INTEQ (p->console_width, 80);
  CHECK_INTEQ (p->user.uid, 1000);
  CHECK_INTEQ (p->user.gid, 1001);
  CHECK (p->user.has_umask);
  CHECK_INTEQ (p->user.umask, 18);
  REQUIRE (p->user.n_additional_gids == 2);
  CHECK_UINTEQ (p->user.additional_gids[1], 4294967295u);
  CHECK_STREQ (p->user.username, "me");
  CHECK_STREQ (p->command_line, "sh -c x");
  CHECK_STREQ (p->cwd, "/tmp");
  REQUIRE (p->capabilities != NULL);
  CHECK (!p->capabilities->has_bounding);
  CHECK (p->capabilities->has_inheritable);
  CHECK_INTEQ (p->capabilities->inheritable.n, 0);
  CHECK (p->capabilities->inheritable.v != NULL);
  CHECK_STREQ (p->capabilities->ambient.v[0], "CAP_KILL");
  REQUIRE (p->n_rlimits == 2);
  CHECK_STREQ (p->rlimits[0].type, "RLIMIT_NOFILE");
  CHECK_UINTEQ (p->rlimits[0].soft, 100);
  CHECK_UINTEQ (p->rlimits[0].hard, 200);
  CHECK_UINTEQ (p->rlimits[1].soft, UINT64_MAX);
  CHECK_UINTEQ (p->rlimits[1].hard, UINT64_MAX);
  CHECK (p->no_new_privileges);
  CHECK_STREQ (p->apparmor_profile, "docker-default");
  CHECK_INTEQ (p->oom_score_adj, -1000);
  CHECK_STREQ (p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0");
  REQUIRE (p->scheduler != NULL);
  CHECK_STREQ (p->scheduler->policy, "SCHED_DEADLINE");
  CHECK (p->scheduler->has_nice && p->scheduler->has_priority);
  CHECK_INTEQ (p->scheduler->nice, -20);
  CHECK_STREQ (p->scheduler->flags.v[0], "SCHED_FLAG_RESET_ON_FORK");
  CHECK (p->scheduler->has_runtime && p->scheduler->has_deadline
         && p->scheduler->has_period);
  CHECK_UINTEQ (p->scheduler->period, 3000);
  REQUIRE (p->io_priority != NULL);
  CHECK_STREQ (p->io_priority->klass, "IOPRIO_CLASS_BE");
  CHECK_INTEQ (p->io_priority->priority, 4);
  CHECK_STREQ (p->exec_cpu_affinity_initial, "0-1");
  CHECK_STREQ (p->exec_cpu_affinity_final, "2");

  REQUIRE (s->root != NULL);
  CHECK_STREQ (s->root->path, "rootfs");
  CHECK (s->root->readonly);
  REQUIRE (s->n_mounts == 1);
  REQUIRE (s->mounts[0].uid_mappings.n == 1);
  CHECK_INTEQ (s->mounts[0].uid_mappings.v[0].host_id, 100000);
  CHECK_INTEQ (s->mounts[0].uid_mappings.v[0].size, 65536);
  CHECK_INTEQ (s->mounts[0].gid_mappings.v[0].host_id, 200000);
  REQUIRE (s->hooks != NULL);
  CHECK_INTEQ (s->hooks->prestart.n, 0);
  REQUIRE (s->hooks->create_runtime.n == 1);
  CHECK (s->hooks->create_runtime.v[0].has_timeout);
  CHECK_INTEQ (s->hooks->create_runtime.v[0].timeout, 5);
  CHECK_STREQ (s->hooks->create_container.v[0].env.v[0], "X=1");
  CHECK_STREQ (s->hooks->start_container.v[0].path, "/c");
  CHECK_STREQ (s->hooks->poststart.v[0].path, "/d");
  REQUIRE (s->hooks->poststop.n == 2);
  CHECK_STREQ (s->hooks->poststop.v[1].path, "/f");
  spec_free (s);
}

UNIT_TEST (full_config_linux)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s = parse (full_config, &err);
  struct spec_linux *l;
  struct spec_seccomp *sc;

  REQUIRE (s != NULL && s->linux_ != NULL);
  l = s->linux_;
  REQUIRE (l->n_namespaces == 4);
  CHECK_INTEQ (l->namespaces[2].type, SPEC_NS_TIME);
  CHECK_STREQ (spec_linux_namespace (s, SPEC_NS_NETWORK)->path,
               "/var/run/netns/x");
  REQUIRE (l->uid_mappings.n == 2);
  CHECK_INTEQ (l->uid_mappings.v[1].container_id, 1);
  CHECK_INTEQ (l->uid_mappings.v[1].size, 65535);
  CHECK_INTEQ (l->gid_mappings.n, 1);
  CHECK (l->time_monotonic.present);
  CHECK_INTEQ (l->time_monotonic.secs, -5);
  CHECK_INTEQ (l->time_monotonic.nanosecs, 7);
  CHECK (l->time_boottime.present);
  CHECK_INTEQ (l->time_boottime.secs, INT64_MAX);
  REQUIRE (l->n_devices == 2);
  CHECK_STREQ (l->devices[0].type, "c");
  CHECK_INTEQ (l->devices[0].major, 10);
  CHECK (l->devices[0].has_file_mode && l->devices[0].has_uid
         && l->devices[0].has_gid);
  CHECK_INTEQ (l->devices[0].file_mode, 0666);
  CHECK (!l->devices[1].has_file_mode);
  REQUIRE (l->n_net_devices == 2);
  CHECK_STREQ (l->net_devices[0].host_name, "eth1");
  CHECK_STREQ (l->net_devices[0].name, "ns1");
  CHECK_STREQ (l->net_devices[1].host_name, "eth2");
  CHECK (l->net_devices[1].name == NULL);
  CHECK_STREQ (l->rootfs_propagation, "slave");
  CHECK_STREQ (l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0");
  REQUIRE (l->intel_rdt != NULL);
  CHECK_STREQ (l->intel_rdt->clos_id, "guaranteed_group");
  CHECK_STREQ (l->intel_rdt->l3_cache_schema, "L3:0=7f0");
  CHECK_STREQ (l->intel_rdt->mem_bw_schema, "MB:0=20");
  CHECK (l->intel_rdt->enable_cmt && !l->intel_rdt->enable_mbm);
  REQUIRE (l->personality != NULL);
  CHECK_STREQ (l->personality->domain, "LINUX32");
  CHECK_INTEQ (l->personality->flags.n, 0);

  sc = l->seccomp;
  REQUIRE (sc != NULL);
  CHECK (sc->has_default_errno_ret);
  CHECK_INTEQ (sc->default_errno_ret, 1);
  CHECK_STREQ (sc->flags.v[0], "SECCOMP_FILTER_FLAG_LOG");
  CHECK_STREQ (sc->listener_path, "/run/agent.sock");
  CHECK_STREQ (sc->listener_metadata, "meta");
  CHECK_INTEQ (sc->architectures.n, 0);
  REQUIRE (sc->n_syscalls == 1 && sc->syscalls[0].n_args == 1);
  CHECK_STREQ (sc->syscalls[0].action, "SCMP_ACT_NOTIFY");
  CHECK_INTEQ (sc->syscalls[0].args[0].index, 5);
  CHECK_UINTEQ (sc->syscalls[0].args[0].value, UINT64_MAX);
  CHECK_UINTEQ (sc->syscalls[0].args[0].value_two, UINT64_MAX - 1);
  CHECK_STREQ (sc->syscalls[0].args[0].op, "SCMP_CMP_GE");
  spec_free (s);
}

UNIT_TEST (full_config_resources)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s = parse (full_config, &err);
  struct spec_resources *r;
  struct spec_block_io *b;

  REQUIRE (s != NULL && s->linux_ != NULL && s->linux_->resources != NULL);
  r = s->linux_->resources;
  CHECK_INTEQ (r->n_devices, 0);
  REQUIRE (r->memory != NULL);
  CHECK (r->memory->has_limit && r->memory->limit == -1);
  CHECK_INTEQ (r->memory->reservation, 33554432);
  CHECK_INTEQ (r->memory->swap, INT64_MIN);
  CHECK (r->memory->has_kernel && r->memory->kernel == 0);
  CHECK (r->memory->has_kernel_tcp && r->memory->kernel_tcp == 1);
  CHECK (r->memory->has_swappiness);
  CHECK_UINTEQ (r->memory->swappiness, 60);
  CHECK (!r->memory->has_disable_oom_killer);
  CHECK (r->memory->has_use_hierarchy && r->memory->use_hierarchy);
  CHECK (r->memory->has_check_before_update);
  CHECK (!r->memory->check_before_update);
  REQUIRE (r->cpu != NULL);
  CHECK_UINTEQ (r->cpu->shares, UINT64_MAX);
  CHECK_INTEQ (r->cpu->quota, -1);
  CHECK (r->cpu->has_burst && r->cpu->burst == 10);
  CHECK_UINTEQ (r->cpu->period, 100000);
  CHECK_INTEQ (r->cpu->realtime_runtime, 950000);
  CHECK_UINTEQ (r->cpu->realtime_period, 1000000);
  CHECK_STREQ (r->cpu->cpus, "2-3");
  CHECK_STREQ (r->cpu->mems, "0");
  CHECK (r->cpu->has_idle && r->cpu->idle == 1);
  b = r->block_io;
  REQUIRE (b != NULL);
  CHECK_INTEQ (b->weight, 10);
  CHECK (b->has_leaf_weight && b->leaf_weight == 1000);
  REQUIRE (b->n_weight_device == 2);
  CHECK (b->weight_device[0].has_leaf_weight);
  CHECK_INTEQ (b->weight_device[0].leaf_weight, 300);
  CHECK (!b->weight_device[1].has_leaf_weight);
  CHECK_INTEQ (b->weight_device[1].weight, 65535);
  CHECK_INTEQ (b->weight_device[1].minor, 16);
  REQUIRE (b->throttle_read_bps.n == 1 && b->throttle_write_bps.n == 1);
  CHECK_UINTEQ (b->throttle_read_bps.v[0].rate, 600);
  CHECK_UINTEQ (b->throttle_write_bps.v[0].rate, UINT64_MAX);
  REQUIRE (b->throttle_read_iops.n == 1 && b->throttle_write_iops.n == 1);
  CHECK_INTEQ (b->throttle_read_iops.v[0].minor, 2);
  CHECK_UINTEQ (b->throttle_write_iops.v[0].rate, 300);
  REQUIRE (r->n_hugepage_limits == 2);
  CHECK_STREQ (r->hugepage_limits[1].page_size, "1GB");
  CHECK_UINTEQ (r->hugepage_limits[1].limit, UINT64_MAX);
  REQUIRE (r->network != NULL);
  CHECK (r->network->has_class_id);
  CHECK_INTEQ (r->network->class_id, 1048577);
  REQUIRE (r->network->n_priorities == 1);
  CHECK_STREQ (r->network->priorities[0].name, "eth0");
  CHECK_INTEQ (r->network->priorities[0].priority, 500);
  CHECK (r->has_pids_limit && r->pids_limit == -1);
  REQUIRE (r->n_rdma == 2);
  CHECK_STREQ (r->rdma[0].name, "mlx5_1");
  CHECK (r->rdma[0].has_hca_handles && r->rdma[0].hca_handles == 3);
  CHECK (!r->rdma[1].has_hca_handles && r->rdma[1].has_hca_objects);
  REQUIRE (r->unified.n == 2);
  CHECK_STREQ (r->unified.keys[1], "memory.high");
  CHECK_STREQ (r->unified.values[0], "259:0 rbps=2097152");
  spec_free (s);
}

UNIT_TEST (minimal_config)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s = parse (DOC (), &err);

  REQUIRE (s != NULL);
  CHECK (s->process == NULL && s->root == NULL && s->hooks == NULL);
  CHECK (s->linux_ == NULL && s->mounts == NULL && s->n_mounts == 0);
  CHECK (spec_linux_namespace (s, SPEC_NS_PID) == NULL);
  spec_free (s);
}

UNIT_TEST (oci_version)
{
  EXPECT_OK ("{'ociVersion':'1.0.2-dev'}");
  EXPECT_OK ("{'ociVersion':'1.2.0'}");
  EXPECT_OK ("{'ociVersion':'1.0.0-rc5'}");
  EXPECT_OK ("{'ociVersion':'1'}");
  EXPECT_ERR ("{'ociVersion':'2.0.0'}",
              "ociVersion: unsupported version \"2.0.0\"");
  EXPECT_ERR ("{'ociVersion':'10.0.0'}",
              "ociVersion: unsupported version \"10.0.0\"");
  EXPECT_ERR ("{'ociVersion':''}", "ociVersion: unsupported version \"\"");
  EXPECT_ERR ("{'ociVersion':'0.5.0'}",
              "ociVersion: unsupported version \"0.5.0\"");
  EXPECT_ERR ("{}", "ociVersion: required");
  EXPECT_ERR ("{'ociVersion':null}", "ociVersion: required");
  EXPECT_ERR ("{'ociVersion':1}", "ociVersion: expected string");
}

UNIT_TEST (required_process_fields)
{
  static const char want_args[]
      = "process.args: must be a non-empty array of strings";

  EXPECT_ERR (DOC (",'process':{'cwd':'/'}"), want_args);
  EXPECT_ERR (DOC (",'process':{'args':[],'cwd':'/'}"), want_args);
  EXPECT_ERR (DOC (",'process':{'args':null,'cwd':'/'}"), want_args);
  EXPECT_ERR (DOC (",'process':{'args':'sh','cwd':'/'}"), want_args);
  EXPECT_ERR (DOC (",'process':{'args':['sh',1],'cwd':'/'}"), want_args);
  EXPECT_ERR (DOC (",'process':{'args':['sh']}"), "process.cwd: required");
  EXPECT_ERR (DOC (",'process':{'args':['sh'],'cwd':'tmp'}"),
              "process.cwd: must be an absolute path");
  EXPECT_ERR (DOC (",'process':{'args':['sh'],'cwd':''}"),
              "process.cwd: must be an absolute path");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'rlimits':[{'type':'RLIMIT_NOFILE',"
                   "'soft':1}]}"),
              "process.rlimits[0].hard: required");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'rlimits':[{'soft':1,'hard':1}]}"),
              "process.rlimits[0].type: required");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'consoleSize':{'height':1}}"),
              "process.consoleSize.width: required");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'scheduler':{'nice':1}}"),
              "process.scheduler.policy: required");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'ioPriority':{'priority':1}}"),
              "process.ioPriority.class: required");
}

UNIT_TEST (required_other_fields)
{
  EXPECT_ERR (DOC (",'root':{'readonly':true}"), "root.path: required");
  EXPECT_ERR (DOC (",'mounts':[{'destination':'/a'},{'destination':'/b'},"
                   "{'type':'tmpfs','source':'tmpfs'}]"),
              "mounts[2].destination: required");
  EXPECT_ERR (DOC (",'mounts':[{'destination':'/a','uidMappings':"
                   "[{'containerID':0,'hostID':1}]}]"),
              "mounts[0].uidMappings[0].size: required");
  EXPECT_ERR (DOC (",'hooks':{'prestart':[{'args':['x']}]}"),
              "hooks.prestart[0].path: required");
  EXPECT_ERR (DOC (",'hooks':{'poststop':[{'path':'/a'},{'path':'b'}]}"),
              "hooks.poststop[1].path: must be an absolute path");
  EXPECT_ERR (DOC (",'hooks':{'poststart':[{'path':'/a','timeout':0}]}"),
              "hooks.poststart[0].timeout: must be greater than zero");
  EXPECT_ERR (DOC (",'linux':{'namespaces':[{'type':'pid'},{'path':'/x'}]}"),
              "linux.namespaces[1].type: required");
  EXPECT_ERR (DOC (",'linux':{'namespaces':[{'type':'net'}]}"),
              "linux.namespaces[0].type: unknown namespace type \"net\"");
  EXPECT_ERR (DOC (",'linux':{'seccomp':{'syscalls':[]}}"),
              "linux.seccomp.defaultAction: required");
  EXPECT_ERR (DOC (",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',"
                   "'syscalls':[{'action':'SCMP_ACT_ERRNO'}]}}"),
              "linux.seccomp.syscalls[0].names: required");
  EXPECT_ERR (DOC (",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',"
                   "'syscalls':[{'names':[],'action':'SCMP_ACT_ERRNO'}]}}"),
              "linux.seccomp.syscalls[0].names: must be a non-empty array "
              "of strings");
  EXPECT_ERR (DOC (",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',"
                   "'syscalls':[{'names':['a'],'action':'SCMP_ACT_ERRNO'},"
                   "{'names':['b']}]}}"),
              "linux.seccomp.syscalls[1].action: required");
  EXPECT_ERR (DOC (",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',"
                   "'syscalls':[{'names':['a'],'action':'SCMP_ACT_ERRNO',"
                   "'args':[{'index':0,'value':1}]}]}}"),
              "linux.seccomp.syscalls[0].args[0].op: required");
  EXPECT_ERR (DOC (",'linux':{'devices':[{'type':'c','major':1,'minor':3}]}"),
              "linux.devices[0].path: required");
  EXPECT_ERR (DOC (",'linux':{'devices':[{'path':'/dev/x','major':1,"
                   "'minor':3}]}"),
              "linux.devices[0].type: required");
  EXPECT_ERR (DOC (",'linux':{'devices':[{'path':'/dev/x','type':'x'}]}"),
              "linux.devices[0].type: must be one of c, b, u, p");
  EXPECT_ERR (DOC (",'linux':{'devices':[{'path':'dev/x','type':'c'}]}"),
              "linux.devices[0].path: must be an absolute path");
  EXPECT_ERR (DOC (",'linux':{'devices':[{'path':'/dev/x','type':'b',"
                   "'minor':1}]}"),
              "linux.devices[0].major: required");
  EXPECT_ERR (DOC (",'linux':{'resources':{'devices':[{'allow':true},"
                   "{'access':'rwm'}]}}"),
              "linux.resources.devices[1].allow: required");
  EXPECT_ERR (DOC (",'linux':{'resources':{'pids':{}}}"),
              "linux.resources.pids.limit: required");
  EXPECT_ERR (DOC (",'linux':{'resources':{'hugepageLimits':[{'limit':1}]}}"),
              "linux.resources.hugepageLimits[0].pageSize: required");
  EXPECT_ERR (DOC (",'linux':{'resources':{'blockIO':{'throttleReadBpsDevice':"
                   "[{'major':8,'minor':0}]}}}"),
              "linux.resources.blockIO.throttleReadBpsDevice[0].rate: "
              "required");
  EXPECT_ERR (DOC (",'linux':{'personality':{'flags':[]}}"),
              "linux.personality.domain: required");
  EXPECT_ERR (DOC (",'linux':{'uidMappings':[{'hostID':1,'size':1}]}"),
              "linux.uidMappings[0].containerID: required");
}

UNIT_TEST (wrong_types_name_the_path)
{
  EXPECT_ERR (DOC (",'linux':{'resources':{'pids':{'limit':'50'}}}"),
              "linux.resources.pids.limit: expected integer");
  EXPECT_ERR (DOC (",'linux':{'resources':{'cpu':{'shares':1.5}}}"),
              "linux.resources.cpu.shares: expected integer");
  EXPECT_ERR (DOC (",'linux':{'resources':{'memory':{'limit':1e9}}}"),
              "linux.resources.memory.limit: expected integer");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'terminal':'yes'}"),
              "process.terminal: expected boolean");
  EXPECT_ERR (DOC (",'process':[]"), "process: expected object");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'env':['A=1',2]}"),
              "process.env[1]: expected string");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'env':'A=1'}"),
              "process.env: expected array of strings");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'user':{'additionalGids':[1,'x']}}"),
              "process.user.additionalGids[1]: expected integer");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'user':{'additionalGids':3}}"),
              "process.user.additionalGids: expected array");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'capabilities':{'bounding':"
                   "['CAP_KILL',true]}}"),
              "process.capabilities.bounding[1]: expected string");
  EXPECT_ERR (DOC (",'hostname':5"), "hostname: expected string");
  EXPECT_ERR (DOC (",'mounts':{}"), "mounts: expected array");
  EXPECT_ERR (DOC (",'mounts':[{'destination':'/a'},'x']"),
              "mounts[1]: expected object");
  EXPECT_ERR (DOC (",'mounts':[{'destination':'/a','options':'ro'}]"),
              "mounts[0].options: expected array of strings");
  EXPECT_ERR (DOC (",'hooks':[]"), "hooks: expected object");
  EXPECT_ERR (DOC (",'hooks':{'prestart':{}}"),
              "hooks.prestart: expected array");
  EXPECT_ERR (DOC (",'annotations':{'a':1}"), "annotations.a: expected string");
  EXPECT_ERR (DOC (",'annotations':[]"), "annotations: expected object");
  EXPECT_ERR (DOC (",'linux':5"), "linux: expected object");
  EXPECT_ERR (DOC (",'linux':{'sysctl':{'net.ipv4.ip_forward':1}}"),
              "linux.sysctl.net.ipv4.ip_forward: expected string");
  EXPECT_ERR (DOC (",'linux':{'resources':{'unified':{'pids.max':5}}}"),
              "linux.resources.unified.pids.max: expected string");
  EXPECT_ERR (DOC (",'linux':{'resources':{'rdma':{'mlx':5}}}"),
              "linux.resources.rdma.mlx: expected object");
  EXPECT_ERR (DOC (",'linux':{'resources':{'rdma':{'mlx':{'hcaHandles':-1}}}}"),
              "linux.resources.rdma.mlx.hcaHandles: out of range for uint32");
  EXPECT_ERR (DOC (",'linux':{'netDevices':{'eth0':{'name':1}}}"),
              "linux.netDevices.eth0.name: expected string");
  EXPECT_ERR (DOC (",'linux':{'resources':{'memory':{'disableOOMKiller':0}}}"),
              "linux.resources.memory.disableOOMKiller: expected boolean");
  EXPECT_ERR (DOC (",'linux':{'namespaces':[{'type':1}]}"),
              "linux.namespaces[0].type: expected string");
  EXPECT_ERR (DOC (",'linux':{'timeOffsets':{'monotonic':{'secs':'1'}}}"),
              "linux.timeOffsets.monotonic.secs: expected integer");
  EXPECT_ERR (DOC (",'linux':{'timeOffsets':{'realtime':{'secs':1}}}"),
              "linux.timeOffsets.realtime: unknown clock");
  EXPECT_ERR (DOC (",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',"
                   "'syscalls':[{'names':['a'],'action':'SCMP_ACT_ERRNO',"
                   "'args':[{'index':0,'value':-1,'op':'SCMP_CMP_EQ'}]}]}}"),
              "linux.seccomp.syscalls[0].args[0].value: out of range for "
              "uint64");
}

UNIT_TEST (integer_ranges)
{
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'rlimits':[{'type':'RLIMIT_CORE',"
                   "'soft':18446744073709551616,'hard':1}]}"),
              "process.rlimits[0].soft: out of range for uint64");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'rlimits':[{'type':'RLIMIT_CORE',"
                   "'soft':1,'hard':99999999999999999999999}]}"),
              "process.rlimits[0].hard: out of range for uint64");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'user':{'uid':-1}}"),
              "process.user.uid: out of range for uint32");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'user':{'gid':4294967296}}"),
              "process.user.gid: out of range for uint32");
  EXPECT_ERR (DOC (",'linux':{'uidMappings':[{'containerID':0,'hostID':0,"
                   "'size':4294967296}]}"),
              "linux.uidMappings[0].size: out of range for uint32");
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'oomScoreAdj':2147483648}"),
              "process.oomScoreAdj: out of range for int32");
  EXPECT_OK (DOC (",'process':{" PROC_OK ",'oomScoreAdj':-2147483648}"));
  EXPECT_ERR (DOC (",'process':{" PROC_OK ",'oomScoreAdj':-2147483649}"),
              "process.oomScoreAdj: out of range for int32");
  EXPECT_ERR (DOC (",'linux':{'resources':{'blockIO':{'weight':65536}}}"),
              "linux.resources.blockIO.weight: out of range for uint16");
  EXPECT_ERR (DOC (",'linux':{'resources':{'blockIO':{'weight':-1}}}"),
              "linux.resources.blockIO.weight: out of range for uint16");
  EXPECT_OK (DOC (",'linux':{'resources':{'memory':"
                  "{'limit':-9223372036854775808,'swap':9223372036854775807}}}"));
  EXPECT_ERR (DOC (",'linux':{'resources':{'memory':"
                   "{'limit':-9223372036854775809}}}"),
              "linux.resources.memory.limit: out of range for int64");
  EXPECT_ERR (DOC (",'linux':{'resources':{'memory':"
                   "{'limit':9223372036854775808}}}"),
              "linux.resources.memory.limit: out of range for int64");
  EXPECT_ERR (DOC (",'linux':{'resources':{'cpu':{'period':-1}}}"),
              "linux.resources.cpu.period: out of range for uint64");
  EXPECT_OK (DOC (",'linux':{'resources':{'cpu':{'shares':-0}}}"));
  EXPECT_ERR (DOC (",'hooks':{'prestart':[{'path':'/a','timeout':-3}]}"),
              "hooks.prestart[0].timeout: must be greater than zero");
}

UNIT_TEST (unknown_keys_ignored)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s
      = parse (DOC (",'windows':{'layerFolders':[1]},'x-future':[{}],"
                    "'process':{" PROC_OK ",'foo':{'bar':[1,2]},"
                    "'user':{'uid':7,'sid':'S-1'}},"
                    "'linux':{'newThing':1,'resources':{'memory':"
                    "{'limit':5,'newKnob':'x'},'gpu':{}}}"),
                 &err);

  CHECK_STREQ (err.msg, NULL);
  REQUIRE (s != NULL && s->process != NULL && s->linux_ != NULL);
  CHECK_INTEQ (s->process->user.uid, 7);
  REQUIRE (s->linux_->resources != NULL && s->linux_->resources->memory);
  CHECK_INTEQ (s->linux_->resources->memory->limit, 5);
  spec_free (s);
}

UNIT_TEST (null_is_absent)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s
      = parse (DOC (",'hostname':null,'mounts':null,'hooks':null,"
                    "'annotations':null,'root':null,"
                    "'process':{" PROC_OK ",'env':null,'terminal':null,"
                    "'user':{'uid':null,'umask':null},'capabilities':null,"
                    "'oomScoreAdj':null},"
                    "'linux':{'namespaces':null,'seccomp':null,"
                    "'timeOffsets':{'monotonic':null},"
                    "'resources':{'memory':{'limit':null,'swap':1},"
                    "'pids':null}}"),
               &err);

  CHECK_STREQ (err.msg, NULL);
  REQUIRE (s != NULL && s->process != NULL);
  CHECK (s->hostname == NULL && s->mounts == NULL && s->hooks == NULL);
  CHECK (s->root == NULL && s->annotations.n == 0);
  CHECK (s->process->env.v == NULL && !s->process->terminal);
  CHECK (!s->process->user.has_umask && s->process->capabilities == NULL);
  CHECK (!s->process->has_oom_score_adj);
  REQUIRE (s->linux_ != NULL && s->linux_->resources != NULL);
  CHECK (s->linux_->n_namespaces == 0 && s->linux_->seccomp == NULL);
  CHECK (!s->linux_->time_monotonic.present);
  REQUIRE (s->linux_->resources->memory != NULL);
  CHECK (!s->linux_->resources->memory->has_limit);
  CHECK (s->linux_->resources->memory->has_swap);
  CHECK (!s->linux_->resources->has_pids_limit);
  spec_free (s);

  /* null is not a valid array element, though. */
  EXPECT_ERR (DOC (",'mounts':[null]"), "mounts[0]: expected object");
}

UNIT_TEST (absent_vs_zero)
{
  sbx_error_t err = { 0, NULL };
  struct spec_resources *a, *b;
  const char *zero = "{\"cpu\":{\"shares\":0,\"quota\":0},\"memory\":"
                     "{\"swappiness\":0},\"blockIO\":{\"weight\":0},"
                     "\"pids\":{\"limit\":0},\"network\":{\"classID\":0}}";
  const char *absent
      = "{\"cpu\":{},\"memory\":{},\"blockIO\":{},\"network\":{}}";

  a = spec_parse_resources (zero, strlen (zero), &err);
  b = spec_parse_resources (absent, strlen (absent), &err);
  CHECK_STREQ (err.msg, NULL);
  REQUIRE (a != NULL && b != NULL);
  CHECK (a->cpu->has_shares && a->cpu->has_quota && !a->cpu->has_period);
  CHECK (!b->cpu->has_shares && !b->cpu->has_quota);
  CHECK (a->memory->has_swappiness && !b->memory->has_swappiness);
  CHECK (a->block_io->has_weight && !b->block_io->has_weight);
  CHECK (a->has_pids_limit && !b->has_pids_limit);
  CHECK (a->network->has_class_id && !b->network->has_class_id);
  spec_resources_free (a);
  spec_resources_free (b);
}

UNIT_TEST (malformed_json)
{
  sbx_error_t err = { 0, NULL };
  const char *bad = "{\"ociVersion\": \"1.0.0\",\n \"process\": {\n";
  struct sbx_spec *s = spec_parse (bad, strlen (bad), &err);

  CHECK (s == NULL);
  CHECK_CONTAINS (err.msg, "invalid JSON: parse error");
  CHECK (err.msg != NULL && strchr (err.msg, '\n') == NULL);
  sbx_error_free (&err);

  s = spec_parse ("", 0, &err);
  CHECK (s == NULL);
  CHECK_CONTAINS (err.msg, "invalid JSON");
  sbx_error_free (&err);
  s = spec_parse ("[1]", 3, &err);
  CHECK (s == NULL);
  CHECK_STREQ (err.msg, "invalid JSON: expected an object");
  sbx_error_free (&err);
  s = spec_parse ("{} x", 4, &err);
  CHECK (s == NULL);
  CHECK_CONTAINS (err.msg, "invalid JSON: parse error: trailing garbage");
  sbx_error_free (&err);
}

UNIT_TEST (hostile_input)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s;
  size_t n = 100000, i;
  char *deep = malloc (n * 2 + 1);
  const char nul[] = "{\"ociVersion\":\"1.0.0\"}\0garbage";

  REQUIRE (deep != NULL);
  for (i = 0; i < n; i++)
    {
      deep[i] = '[';
      deep[n + i] = ']';
    }
  deep[2 * n] = '\0';
  s = spec_parse (deep, 2 * n, &err);
  CHECK (s == NULL);
  CHECK_STREQ (err.msg, "invalid JSON: nested deeper than 128");
  sbx_error_free (&err);
  free (deep);

  s = spec_parse (nul, sizeof nul - 1, &err);
  CHECK (s == NULL);
  CHECK_STREQ (err.msg, "invalid JSON: NUL byte in input");
  sbx_error_free (&err);

  EXPECT_ERR (DOC (",'hostname':'a\\u0000b'"),
              "invalid JSON: \\u0000 in a string");
  /* Brackets and escaped quotes inside strings do not count as nesting. */
  EXPECT_OK (DOC (",'hostname':'[[[[\\\"{{{{','annotations':{'\\\\':'x'}"));
}

UNIT_TEST (too_large)
{
  sbx_error_t err = { 0, NULL };
  size_t len = (size_t) SPEC_MAX_SIZE + 1;
  char *big = malloc (len);
  struct sbx_spec *s;
  struct spec_resources *r;

  REQUIRE (big != NULL);
  memset (big, ' ', len);
  s = spec_parse (big, len, &err);
  CHECK (s == NULL);
  CHECK_STREQ (err.msg, "file too large");
  sbx_error_free (&err);
  r = spec_parse_resources (big, len, &err);
  CHECK (r == NULL);
  CHECK_STREQ (err.msg, "file too large");
  sbx_error_free (&err);
  free (big);
}

UNIT_TEST (parse_resources_alone)
{
  sbx_error_t err = { 0, NULL };
  /* docker update --cpus 0.5 --pids-limit 50, then podman's file. */
  const char *docker
      = "{\"memory\":{\"limit\":67108864,\"swap\":134217728},\"cpu\":"
        "{\"shares\":0,\"quota\":50000,\"period\":100000},\"pids\":"
        "{\"limit\":50},\"blockIO\":{\"weight\":0}}\n";
  struct spec_resources *r = spec_parse_resources (docker, strlen (docker),
                                                   &err);

  CHECK_STREQ (err.msg, NULL);
  REQUIRE (r != NULL && r->memory != NULL && r->cpu != NULL);
  CHECK_INTEQ (r->memory->limit, 67108864);
  CHECK_INTEQ (r->memory->swap, 134217728);
  CHECK (!r->memory->has_reservation);
  CHECK_INTEQ (r->cpu->quota, 50000);
  CHECK_UINTEQ (r->cpu->period, 100000);
  CHECK (r->has_pids_limit && r->pids_limit == 50);
  spec_resources_free (r);

  r = spec_parse_resources ("{\"pids\":{\"limit\":\"x\"}}", 22, &err);
  CHECK (r == NULL);
  CHECK_STREQ (err.msg, "pids.limit: expected integer");
  sbx_error_free (&err);
  r = spec_parse_resources ("{\"devices\":[{}]}", 16, &err);
  CHECK (r == NULL);
  CHECK_STREQ (err.msg, "devices[0].allow: required");
  sbx_error_free (&err);
  r = spec_parse_resources ("[]", 2, &err);
  CHECK (r == NULL);
  CHECK_STREQ (err.msg, "invalid JSON: expected an object");
  sbx_error_free (&err);
}

UNIT_TEST (parse_process_alone)
{
  sbx_error_t err = { 0, NULL };
  char *j = json ("{'terminal':true,'user':{'uid':1000,'gid':1000,"
                  "'additionalGids':[1000]},'args':['/bin/sh','-c','tty'],"
                  "'env':['PATH=/bin','TERM=xterm'],'cwd':'/tmp',"
                  "'capabilities':{'bounding':['CAP_KILL']},'oomScoreAdj':0}");
  struct spec_process *p = spec_parse_process (j, strlen (j), &err);

  free (j);
  CHECK_STREQ (err.msg, NULL);
  REQUIRE (p != NULL);
  CHECK (p->terminal);
  CHECK_INTEQ (p->user.uid, 1000);
  CHECK_INTEQ (p->user.additional_gids[0], 1000);
  CHECK_INTEQ (p->args.n, 3);
  CHECK_STREQ (p->env.v[1], "TERM=xterm");
  CHECK_STREQ (p->cwd, "/tmp");
  CHECK (p->has_oom_score_adj);
  spec_process_free (p);

  p = spec_parse_process ("{\"cwd\":\"/\"}", 11, &err);
  CHECK (p == NULL);
  CHECK_STREQ (err.msg, "args: must be a non-empty array of strings");
  sbx_error_free (&err);
  j = json ("{'args':['a'],'cwd':'/','user':{'uid':-5}}");
  p = spec_parse_process (j, strlen (j), &err);
  free (j);
  CHECK (p == NULL);
  CHECK_STREQ (err.msg, "user.uid: out of range for uint32");
  sbx_error_free (&err);
}

static char *
write_tmp (const char *contents, size_t len)
{
  char tmpl[] = "/tmp/test_spec.XXXXXX", *path = NULL;
  int fd;

  if (mkdtemp (tmpl) == NULL || asprintf (&path, "%s/config.json", tmpl) < 0)
    abort ();
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || write (fd, contents, len) != (ssize_t) len)
    abort ();
  close (fd);
  return path;
}

static void
remove_tmp (char *path)
{
  unlink (path);
  *strrchr (path, '/') = '\0';
  rmdir (path);
  free (path);
}

UNIT_TEST (load_file)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s;
  char *path, *want = NULL, *j;
  size_t big_len = (size_t) SPEC_MAX_SIZE + 10;
  char *big;

  s = spec_load ("/nonexistent/config.json", &err);
  CHECK (s == NULL);
  /* error.c decides the case of strerror's text; not checked here. */
  CHECK_CONTAINS (err.msg, "open `/nonexistent/config.json`: ");
  CHECK (err.msg != NULL && strcasestr (err.msg, strerror (ENOENT)) != NULL);
  CHECK_INTEQ (err.errno_, ENOENT);
  sbx_error_free (&err);

  j = json (docker_config);
  path = write_tmp (j, strlen (j));
  free (j);
  s = spec_load (path, &err);
  CHECK_STREQ (err.msg, NULL);
  REQUIRE (s != NULL);
  CHECK_INTEQ (s->n_mounts, 10);
  spec_free (s);
  remove_tmp (path);

  j = json (DOC (",'process':{'args':[],'cwd':'/'}"));
  path = write_tmp (j, strlen (j));
  free (j);
  s = spec_load (path, &err);
  CHECK (s == NULL);
  if (asprintf (&want, "%s: process.args: must be a non-empty array of "
                "strings", path) < 0)
    abort ();
  CHECK_STREQ (err.msg, want);
  free (want);
  sbx_error_free (&err);
  remove_tmp (path);

  path = write_tmp ("{\"ociVersion\":", 14);
  s = spec_load (path, &err);
  CHECK (s == NULL);
  if (asprintf (&want, "%s: invalid JSON: parse error", path) < 0)
    abort ();
  CHECK_CONTAINS (err.msg, want);
  free (want);
  sbx_error_free (&err);
  remove_tmp (path);

  big = malloc (big_len);
  REQUIRE (big != NULL);
  memset (big, ' ', big_len);
  path = write_tmp (big, big_len);
  free (big);
  s = spec_load (path, &err);
  CHECK (s == NULL);
  if (asprintf (&want, "%s: file too large", path) < 0)
    abort ();
  CHECK_STREQ (err.msg, want);
  free (want);
  sbx_error_free (&err);
  remove_tmp (path);
}

UNIT_TEST (namespace_names)
{
  static const char *names[] = { "pid", "network", "mount", "ipc",
                                 "uts", "user", "cgroup", "time" };
  int i;

  for (i = 0; i < SPEC_NS_COUNT; i++)
    {
      CHECK_INTEQ (spec_ns_type_from_string (names[i]), i);
      CHECK_STREQ (spec_ns_type_to_string ((enum spec_ns_type) i), names[i]);
    }
  CHECK_INTEQ (spec_ns_type_from_string ("net"), -1);
  CHECK_INTEQ (spec_ns_type_from_string (""), -1);
  CHECK_INTEQ (spec_ns_type_from_string (NULL), -1);
  CHECK (spec_ns_type_to_string (SPEC_NS_COUNT) == NULL);
  CHECK (spec_linux_namespace (NULL, SPEC_NS_PID) == NULL);
}

UNIT_TEST (duplicate_key_last_wins)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s = parse (DOC (",'hostname':'a','hostname':'b'"), &err);

  REQUIRE (s != NULL);
  CHECK_STREQ (s->hostname, "b");
  spec_free (s);
}

UNIT_TEST (fifo_device_needs_no_numbers)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s
      = parse (DOC (",'linux':{'devices':[{'path':'/dev/f','type':'p'}]}"),
               &err);

  CHECK_STREQ (err.msg, NULL);
  REQUIRE (s != NULL && s->linux_ != NULL && s->linux_->n_devices == 1);
  CHECK_INTEQ (s->linux_->devices[0].major, 0);
  spec_free (s);
}

UNIT_TEST (memory_policy)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *s = parse (DOC (",'linux':{'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0-3,7',"
                                   "'flags':['MPOL_F_STATIC_NODES']}}"),
                              &err);

  CHECK_STREQ (err.msg, NULL);
  REQUIRE (s != NULL && s->linux_ != NULL && s->linux_->memory_policy != NULL);
  CHECK_STREQ (s->linux_->memory_policy->mode, "MPOL_BIND");
  CHECK_STREQ (s->linux_->memory_policy->nodes, "0-3,7");
  REQUIRE (s->linux_->memory_policy->flags.n == 1);
  CHECK_STREQ (s->linux_->memory_policy->flags.v[0], "MPOL_F_STATIC_NODES");
  spec_free (s);
  EXPECT_ERR (DOC (",'linux':{'memoryPolicy':{'nodes':'0'}}"), "linux.memoryPolicy.mode: required");
  EXPECT_ERR (DOC (",'linux':{'memoryPolicy':{'mode':'MPOL_BIND','nodes':0}}"),
              "linux.memoryPolicy.nodes: expected string");
}

/* End of the JSON value starting at s (no whitespace skipping needed
 * for the fixtures: values start right after ':'). */
static const char *
value_end (const char *s)
{
  int depth = 0;
  bool in_string = false;

  for (; *s; s++)
    {
      if (in_string)
        {
          if (*s == '\\')
            s++;
          else if (*s == '"')
            {
              in_string = false;
              if (depth == 0)
                return s + 1;
            }
        }
      else if (*s == '"')
        in_string = true;
      else if (*s == '{' || *s == '[')
        depth++;
      else if (*s == '}' || *s == ']')
        {
          if (depth == 0)
            return s;
          if (--depth == 0)
            return s + 1;
        }
      else if (*s == ',' && depth == 0)
        return s;
    }
  return s;
}

/* Replace each value of the full config in turn: with [{}] every field
 * has the wrong type or misses a required key, so each must fail with a
 * JSON path and free its partial parse (run under valgrind); with -1 the
 * parse may succeed or fail, but consistently. */
UNIT_TEST (every_value_replaced)
{
  static const char *const repl[] = { "[{}]", "-1" };
  char *doc = json (full_config);
  size_t r, n_fail = 0, n_values = 0;
  const char *p;

  for (r = 0; r < sizeof repl / sizeof repl[0]; r++)
    {
      bool in_string = false;

      for (p = doc; *p; p++)
        {
          sbx_error_t err = { 0, NULL };
          struct sbx_spec *s;
          char *m = NULL;

          if (in_string && *p == '\\')
            p++;
          else if (*p == '"')
            in_string = !in_string;
          if (in_string || *p != ':')
            continue;
          if (asprintf (&m, "%.*s%s%s", (int) (p + 1 - doc), doc, repl[r],
                        value_end (p + 1))
              < 0)
            abort ();
          s = spec_parse (m, strlen (m), &err);
          n_values++;
          CHECK ((s == NULL) == (err.msg != NULL));
          /* All but ociVersion's value, whose error has no path. */
          if (r == 0 && p - doc > 20)
            {
              if (!CHECK (s == NULL))
                printf ("#   accepted: %s\n", m);
              CHECK (err.msg == NULL || strstr (err.msg, "invalid") == NULL);
            }
          if (s == NULL)
            n_fail++;
          spec_free (s);
          sbx_error_free (&err);
          free (m);
        }
    }
  printf ("# %zu replacements, %zu rejected\n", n_values, n_fail);
  CHECK (n_values > 400);
  CHECK (n_fail > 250);
  free (doc);
}

UNIT_TEST (long_paths_are_truncated)
{
  sbx_error_t err = { 0, NULL };
  char key[400], *doc = NULL;
  struct spec_resources *r;

  memset (key, 'k', sizeof key - 1);
  key[sizeof key - 1] = '\0';
  if (asprintf (&doc, "{\"rdma\":{\"%s\":1}}", key) < 0)
    abort ();
  r = spec_parse_resources (doc, strlen (doc), &err);
  CHECK (r == NULL);
  CHECK_CONTAINS (err.msg, "rdma.kkkk");
  CHECK_CONTAINS (err.msg, "kkk...: expected object");
  CHECK (err.msg != NULL && strlen (err.msg) < 300);
  sbx_error_free (&err);
  free (doc);
}

int
main (void)
{
  return unit_main ();
}
