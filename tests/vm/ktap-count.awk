# SPDX-License-Identifier: GPL-2.0
#
# Count the leaf results of a (nested) KTAP stream: prints
# "PASS FAIL SKIP".  A result line is a leaf when the result line before
# it is not more indented (a test's subtests come right before it).  A
# test with subtests that is "not ok" although none of its subtests failed
# (e.g. the runner saw a kernel splat, a timeout or a missing result)
# counts as one failure of its own.

function indent(s) {
	match(s, /^[ \t]*/)
	return RLENGTH
}

# Failures counted up to the last result at indentation <= i.
function mark_at(i,    k, best, v) {
	best = -1
	v = 0
	for (k in mark)
		if (k + 0 <= i && k + 0 > best) {
			best = k + 0
			v = mark[k]
		}
	return v
}

/^[ \t]*(not )?ok [0-9]+/ {
	i = indent($0)
	line = substr($0, i + 1)
	is_fail = (line ~ /^not ok/)
	is_skip = (line ~ /#[ \t]*[Ss][Kk][Ii][Pp]/)
	leaf = !(have_prev && prev > i)
	if (leaf) {
		if (is_skip)
			skip++
		else if (is_fail) {
			fail++
			nfail++
		} else
			pass++
	} else if (is_fail && !is_skip && nfail == mark_at(i)) {
		fail++
		nfail++
	}
	for (k in mark)
		if (k + 0 > i)
			delete mark[k]
	mark[i] = nfail
	prev = i
	have_prev = 1
}

END {
	printf "%d %d %d\n", pass, fail, skip
}
