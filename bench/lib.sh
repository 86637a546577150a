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

# bench_p256_chain DIR: a three-level P-256 chain made by openssl in DIR (root.pem, int.pem,
# leaf.pem for server.example.com, and their keys), for the chain comparisons.
bench_p256_chain() {
	local chain=$1
	mkdir -p "$chain"
	printf '%s\n' '[ca]' 'basicConstraints=critical,CA:TRUE' 'keyUsage=critical,keyCertSign,cRLSign' \
		'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid:always' '[leaf]' 'basicConstraints=critical,CA:FALSE' \
		'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:server.example.com' \
		'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid:always' >"$chain/ext.cnf"
	(
		cd "$chain"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key -subj "/CN=Bench Root" \
			-days 3650 -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout int.key -subj "/CN=Bench Intermediate" -out int.csr
		openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -set_serial 2 -days 3650 -extfile ext.cnf -extensions ca -out int.pem
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -subj "/CN=server.example.com" -out leaf.csr
		openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -set_serial 3 -days 365 -extfile ext.cnf -extensions leaf -out leaf.pem
	) 2>/dev/null
}

# icount CMD...: the instructions of one run of CMD under callgrind, the median of three. The
# runtime's asynchronous preemption is off: callgrind can trip on its signals (an assertion in
# valgrind 3.19), and a run that fails so is made again.
icount() {
	local i try n counts=()
	for i in 1 2 3; do
		for try in 1 2 3 4 5; do
			n=$(GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
				awk '/I *refs:/ {gsub(",", "", $NF); print $NF}')
			[ -n "$n" ] && break
		done
		[ -n "$n" ] || { echo "failed"; return; }
		counts+=("$n")
	done
	printf '%s\n' "${counts[@]}" | median
}
