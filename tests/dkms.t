#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# dkms.t - how the module reaches a server, for real, on this machine:
#   1. sudo make install: DKMS builds the module for every kernel with
#      headers, and profctl, man page, udev rule and modprobe.d land;
#      make uninstall takes all of it away again. DESTDIR is honoured.
#   2. make deb: two packages, lintian without errors; dpkg -i builds the
#      module for every installed kernel through the package's postinst.
#   3. In the guest, per kernel flavour, with the packages installed on
#      the host (whose root the guest shares): modprobe loads the DKMS
#      module, the udev rule's group may use the device, modprobe -r.
#   4. A kernel upgrade: installing a kernel's headers package again
#      (its postinst runs DKMS's hook) builds the module for it.
#   5. dpkg --purge leaves nothing behind.
# It changes the machine (DKMS tree, /usr/src, /lib/modules, packages), so
# it needs root, and cleans up after itself even when it fails.
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh"
cd "$root" || exit 1

version=$(cat VERSION)
kernels=$(scripts/kernels headers)
log=build/test-logs/dkms
mkdir -p "$log"

missing=""
for tool in dkms dpkg-buildpackage dh_dkms lintian; do
	command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ "$(id -u)" -ne 0 ] || [ -n "$missing" ] || [ -z "$kernels" ]; then
	why="needs root, dkms, debhelper, dh-dkms, lintian and kernel headers"
	[ -n "$missing" ] && why="missing:$missing (scripts/install-deps)"
	[ "$(id -u)" -ne 0 ] && why="needs root"
	for step in "make install" "make uninstall" "make deb" "dpkg -i" "guest modprobe" "kernel upgrade" "dpkg --purge"; do
		tap_skip "dkms: $step" "$why"
	done
	tap_done
	exit 0
fi

cleanup() {
	dpkg --purge profctl ksampler-dkms > /dev/null 2>&1
	dkms remove -m ksampler -v "$version" --all > /dev/null 2>&1
	make -s uninstall > /dev/null 2>&1
}
trap cleanup EXIT
cleanup

# module_for KVER: the module DKMS installed for KVER (.ko or .ko.xz), or ""
module_for() { ls "/lib/modules/$1/updates/dkms/ksampler.ko"* 2>/dev/null | head -n 1; }

# --- 1. make install / uninstall, from the repository's dkms.conf
if make install > "$log/install.log" 2>&1; then
	tap_ok "make install: exit 0"
else
	tap_not_ok "make install: exit 0" "$(tail -n 20 "$log/install.log")"
fi
for k in $kernels; do
	ko=$(module_for "$k")
	info=$( [ -n "$ko" ] && modinfo "$ko" 2>/dev/null)
	if [ -n "$ko" ] && grep -q "^version: *$version$" <<<"$info" &&
		grep -q "^abi: *1\.[0-9]" <<<"$info" &&
		grep -q "^git_revision: *[0-9a-f]\{12\}" <<<"$info"; then
		tap_ok "make install: DKMS built $k; modinfo gives version, abi, git_revision"
	else
		tap_not_ok "make install: DKMS built $k; modinfo gives version, abi, git_revision" \
			"module: '$ko'" "$(dkms status 2>&1)"
	fi
done
files="/usr/local/bin/profctl /usr/local/share/man/man8/profctl.8
/etc/udev/rules.d/60-ksampler.rules /etc/modprobe.d/ksampler.conf
/usr/src/ksampler-$version/dkms.conf"
absent=$(for f in $files; do [ -e "$f" ] || echo "$f"; done)
[ -z "$absent" ] && getent group ksampler >/dev/null &&
	tap_ok "make install: profctl, man page, udev rule, modprobe.d, sources, group ksampler" ||
	tap_not_ok "make install: profctl, man page, udev rule, modprobe.d, sources, group ksampler" \
		"missing: $absent"
grep -q "^PACKAGE_VERSION=\"$version\"" "/usr/src/ksampler-$version/dkms.conf" &&
	grep -q '^AUTOINSTALL="yes"' "/usr/src/ksampler-$version/dkms.conf" &&
	tap_ok "make install: dkms.conf has the version filled in, AUTOINSTALL=yes" ||
	tap_not_ok "make install: dkms.conf has the version filled in, AUTOINSTALL=yes"
make uninstall > "$log/uninstall.log" 2>&1
left=$(for f in $files; do [ -e "$f" ] && echo "$f"; done
	for k in $kernels; do module_for "$k"; done
	dkms status -m ksampler 2>/dev/null)
[ -z "$left" ] && tap_ok "make uninstall: nothing left (files, modules, DKMS)" ||
	tap_not_ok "make uninstall: nothing left (files, modules, DKMS)" "$left"
dest=$(mktemp -d)
make -s install DESTDIR="$dest" PREFIX=/opt/ks > "$log/destdir.log" 2>&1
if [ -x "$dest/opt/ks/bin/profctl" ] && [ -f "$dest/opt/ks/share/man/man8/profctl.8" ] &&
	[ -f "$dest/usr/src/ksampler-$version/kmod/Kbuild" ] && ! dkms status -m ksampler | grep -q .; then
	tap_ok "make install DESTDIR=... PREFIX=...: files staged there, nothing registered"
else
	tap_not_ok "make install DESTDIR=... PREFIX=...: files staged there, nothing registered" \
		"$(cd "$dest" && find . | head -n 20)"
fi
rm -rf "$dest"

# --- 2. the packages
if make deb > "$log/deb.log" 2>&1; then
	tap_ok "make deb: ksampler-dkms and profctl built, lintian reports no error"
else
	tap_not_ok "make deb: ksampler-dkms and profctl built, lintian reports no error" \
		"$(tail -n 20 "$log/deb.log")"
fi
echo "# lintian: $(grep -c '^W:' build/deb/lintian.log 2>/dev/null) warnings, $(grep -c '^I:' build/deb/lintian.log 2>/dev/null) infos"
if dpkg -i build/deb/ksampler-dkms_"$version"_all.deb build/deb/profctl_"$version"_*.deb \
	> "$log/dpkg.log" 2>&1; then
	tap_ok "dpkg -i ksampler-dkms profctl: exit 0"
else
	tap_not_ok "dpkg -i ksampler-dkms profctl: exit 0" "$(tail -n 20 "$log/dpkg.log")"
fi
for k in $kernels; do
	[ -n "$(module_for "$k")" ] && tap_ok "package postinst: module built and installed for $k" ||
		tap_not_ok "package postinst: module built and installed for $k" "$(dkms status 2>&1)"
done
[ -x /usr/bin/profctl ] && [ -f /usr/lib/udev/rules.d/60-ksampler.rules ] &&
	getent group ksampler >/dev/null && [ -f /usr/share/man/man8/profctl.8.gz ] &&
	tap_ok "package: /usr/bin/profctl, man page, udev rule, group ksampler" ||
	tap_not_ok "package: /usr/bin/profctl, man page, udev rule, group ksampler"

# --- 3. the guest loads what DKMS installed
for flavour in $(scripts/kernels flavours); do
	kver=$(scripts/kernels flavour "$flavour")
	if [ -z "$kver" ] || [ ! -r "/boot/vmlinuz-$kver" ] ||
		! command -v qemu-system-x86_64 >/dev/null; then
		tap_skip "$flavour: guest modprobe of the DKMS module" "no $flavour kernel image or qemu"
		continue
	fi
	tap_include "$flavour: dkms:" scripts/vm-run --kernel "$kver" --out "build/vm-dkms/$kver" \
		--timeout 180 -- env KSAMPLER_PROFCTL=/usr/bin/profctl tests/vm/dkms.sh
	[ "$tap_rc" -eq 0 ] && tap_ok "$flavour: dkms: guest ran clean" ||
		tap_not_ok "$flavour: dkms: guest ran clean" "vm-run exit $tap_rc: build/vm-dkms/$kver/"
done

# --- 4. a kernel upgrade: the headers' postinst runs DKMS's autoinstall
up=$(grep -- -rt <<<"$kernels" | head -n 1)
up=${up:-$(head -n 1 <<<"$kernels")}
dkms remove -m ksampler -v "$version" -k "$up" > /dev/null 2>&1
if [ -n "$(module_for "$up")" ]; then
	tap_not_ok "kernel upgrade: module for $up removed first"
elif apt-get install --reinstall -y -q --no-install-recommends "linux-headers-$up" \
	> "$log/upgrade.log" 2>&1 && [ -n "$(module_for "$up")" ]; then
	tap_ok "kernel upgrade: installing linux-headers-$up built ksampler for it (AUTOINSTALL)"
else
	tap_not_ok "kernel upgrade: installing linux-headers-$up built ksampler for it (AUTOINSTALL)" \
		"$(tail -n 15 "$log/upgrade.log")"
fi

# --- 5. purge
dpkg --purge profctl ksampler-dkms > "$log/purge.log" 2>&1
left=$(for k in $kernels; do module_for "$k"; done
	ls -d "/usr/src/ksampler-$version" /usr/bin/profctl /etc/modprobe.d/ksampler.conf 2>/dev/null
	dkms status -m ksampler 2>/dev/null)
[ -z "$left" ] && tap_ok "dpkg --purge: modules, sources and files gone" ||
	tap_not_ok "dpkg --purge: modules, sources and files gone" "$left"

tap_done
