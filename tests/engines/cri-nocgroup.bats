#!/usr/bin/env bats
# The CRI pod lifecycle with handler sbx where sbx cannot have cgroups: on
# a node whose cpu, memory and pids controllers are on cgroup v1 (a hybrid
# host like this development machine) sbx refuses the pod's limits
# (cri.bats: RunPodSandbox fails). containerd's `disable_cgroup = true`
# (with `restrict_oom_score_adj = true`, its setting for such nodes) passes
# no cgroup and no resources; sbx then runs the pod in its own cgroup v2
# directory without limits. The same lifecycle as cri.bats minus the
# cgroup checks; runs on any host (make check: the host pass).

# bats file_tags=host

load helpers
load cri/helpers

setup_file() {
	export CRI_DISABLE_CGROUP=1
	cri_setup_file
}
teardown_file() { cri_teardown_file; }
setup() { engines_setup; }
teardown() { cri_remove_pods; }

@test "CRI, disable_cgroup: pod lifecycle without cgroups; two containers share net and IPC; exec, logs, security; stop, remove, nothing left" {
	pod_lifecycle
}

@test "CRI, disable_cgroup: ExecSync gets the container's oom_score_adj" {
	pod_exec_oom_score_adj
}
