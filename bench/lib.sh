# bench/lib.sh - the timing functions the bench scripts share. Source it from bash (it uses
# EPOCHREALTIME and BASHPID) after setting work, a scratch directory:
#
#	root=$(cd "$(dirname "$0")/../.." && pwd)
#	. "$root/bench/lib.sh"
#
# A script may then set, before calling compare:
#   bench_label_width  the width of compare's label column (default 52)
#   bench_ratio_format the printf format of its two ratios (default %6.3f)
# and redefine the hooks:
#   bench_run CMD...   runs one measured command (default: stdout to /dev/null)
#   bench_before       runs, untimed, before every run of a command compare makes (default:
#                      nothing)

bench_label_width=52
bench_ratio_format=%6.3f

bench_run() { "$@" >/dev/null; }

bench_before() { :; }

# timed CMD... prints the wall time and the CPU time (user + system) of CMD in microseconds.
# It runs in a $(...) subshell, whose children's CPU times start at zero, and reads them with
# the times builtin (redirected to a file: a pipe would fork and lose them).
timed() {
	local s e
	s=${EPOCHREALTIME/./}
	bench_run "$@"
	e=${EPOCHREALTIME/./}
	times >"$work/times.$BASHPID"
	awk -v wall=$((e - s)) 'NR == 2 {
		split($1, u, /[ms]/); split($2, y, /[ms]/)
		printf "%d %d\n", wall, ((u[1] + y[1]) * 60 + u[2] + y[2]) * 1e6
	}' "$work/times.$BASHPID"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

ms() { awk -v t="$1" 'BEGIN {printf "%.1f", t / 1000}'; }

# compare LABEL N -- A... -- B...: runs A and B alternately N times (after one warm-up run of
# each) and prints the median of the per-pair ratios A/B of wall time (the figure that counts)
# and of CPU time (less sensitive to other load on a shared machine, but for parallel work it
# is not the point), and the median times.
compare() {
	local label=$1 n=$2
	shift 3
	local a=() b=()
	while [ "$1" != "--" ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	bench_before; bench_run "${a[@]}"; bench_before; bench_run "${b[@]}" # warm-up
	local ratios=() cratios=() ta=() tb=() i x y
	for ((i = 0; i < n; i++)); do
		bench_before; x=($(timed "${a[@]}"))
		bench_before; y=($(timed "${b[@]}"))
		ta+=("${x[0]}"); tb+=("${y[0]}")
		ratios+=("$(awk -v x="${x[0]}" -v y="${y[0]}" 'BEGIN {printf "%.3f", x / y}')")
		cratios+=("$(awk -v x="${x[1]}" -v y="${y[1]}" 'BEGIN {if (y > 0) printf "%.3f", x / y; else print "nan"}')")
	done
	local r c ma mb
	r=$(printf '%s\n' "${ratios[@]}" | median)
	c=$(printf '%s\n' "${cratios[@]}" | median)
	ma=$(printf '%s\n' "${ta[@]}" | median)
	mb=$(printf '%s\n' "${tb[@]}" | median)
	printf "%-${bench_label_width}s ratio $bench_ratio_format  cpu $bench_ratio_format  (%s ms vs %s ms, %d pairs)\n" \
		"$label" "$r" "$c" "$(ms "$ma")" "$(ms "$mb")" "$n"
	printf "%-${bench_label_width}s   wall ratios: %s\n" "" "${ratios[*]}"
}
