# bad_case for tests/cli/*.sh, sourced by tests/rig/runner.sh (POSIX sh).
#
#   bad_case NAME STATUS [lkvm run arguments...]
#
# runs `lkvm run ARGS` with stdin /dev/null under a timeout (CLI_TIMEOUT
# reference seconds, scaled as the runner scales every timeout) and checks: the
# exit status is STATUS (a "|"-separated list is allowed, e.g. "128|129"),
# never a signal or a hang, and stderr is exactly one line starting "lkvm: ".
# Each bad_case line at the start of a line is one TAP test (the runner counts
# them to plan).  Needs: LKVM, WORK, and the runner's want/begin/result.

CLI_TIMEOUT=${CLI_TIMEOUT:-20}

bad_case() {
	want "cli: $1" || return 0
	begin "cli: $1" "$CLI_TIMEOUT"
	_name=$1
	_want=$2
	shift 2
	_log=$WORK/cli-$_name.log
	{
		echo "+ lkvm run $*"
		timeout "$to" "$LKVM" run "$@" </dev/null >"$WORK/cli.out" 2>"$WORK/cli.err"
		_rc=$?
		echo "exit status $_rc"
		echo "--- stderr:"
		cat "$WORK/cli.err"
		echo "--- stdout (first 20 lines):"
		head -n 20 "$WORK/cli.out"
	} >"$_log" 2>&1
	_rc=$(sed -n 's/^exit status //p' "$_log")
	_why=
	_lines=$(wc -l <"$WORK/cli.err")
	_first=$(head -n 1 "$WORK/cli.err")
	case "|$_want|" in
	*"|$_rc|"*) ;;
	*)
		case $_rc in
		124 | 143 | 137) _why="hung (killed after ${to}s)" ;;
		13[0-9] | 1[4-9][0-9] | 2[0-9][0-9]) _why="died of signal $((_rc - 128))" ;;
		*) _why="exit status $_rc, want $_want" ;;
		esac
		;;
	esac
	if [ -z "$_why" ]; then
		if [ "$_lines" -ne 1 ]; then
			_why="$_lines lines on stderr, want exactly 1"
		else
			case $_first in
			"lkvm: "*) ;;
			*) _why="stderr does not start with 'lkvm: ': $_first" ;;
			esac
		fi
	fi
	if [ -z "$_why" ]; then
		result pass "cli: $_name" "$_log"
	else
		echo "FAIL: $_why" >>"$_log"
		result fail "cli: $_name" "$_log" "$_why"
	fi
}
