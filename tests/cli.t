#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# cli.t - profctl's command line: usage errors, help and exit codes, on the
# host (no module needed). The device paths are exercised in tests/vm/.
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh"
profctl=${PROFCTL:-$root/build/profctl}

tap_run "$profctl"
tap_expect "no command: usage error" 2 "usage: profctl COMMAND"

tap_run "$profctl" --help
tap_expect "--help: lists commands, exit 0" 0 "version +print profctl"

tap_run "$profctl" --help
tap_expect "--help documents exit codes" 0 "0 success, 1 runtime failure, 2 usage error"

tap_run "$profctl" frobnicate
tap_expect "unknown command: says so, exit 2" 2 "unknown command 'frobnicate'"

tap_run "$profctl" version --help
tap_expect "version --help: exit 0" 0 "usage: profctl version"

tap_run "$profctl" version --bogus
tap_expect "version --bogus: usage error" 2 "usage: profctl version"

tap_run "$profctl" version extra
tap_expect "version with an argument: usage error" 2 "unexpected argument 'extra'"

tap_run "$profctl" version --device /nonexistent/ksampler
tap_expect "version without module: CLI version, how to load, exit 0" 0 \
	"^profctl +[0-9]+\.[0-9]+\.[0-9]+ \(ABI 1\.[0-9]+, git "
tap_expect "version without module: tells to modprobe" 0 \
	"not loaded .*sudo modprobe ksampler"

tap_run "$profctl" version --device /dev/null
tap_expect "version on a foreign node: refused, exit 1" 1 \
	"/dev/null: device is not a ksampler device"

tap_run "$profctl" --version
tap_expect "--version is version" 0 "^profctl +[0-9]"

tap_done
