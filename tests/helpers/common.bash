# common.bash: the bats helpers every suite shares (integration, security,
# engines). Each suite's helpers.bash sources this file; put a helper here
# once a second suite wants it, instead of copying it.

# fail MESSAGE...: print MESSAGE and return 1 (use as `cond || fail "why"`).
fail() {
	echo "FAIL: $*" >&2
	return 1
}

# retry TRIES DELAY CMD...: run CMD until it succeeds, at most TRIES times,
# DELAY seconds apart.
retry() {
	local n=$1 d=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep "$d"
	done
	echo "retry: '$*' did not succeed after $n tries" >&2
	return 1
}
