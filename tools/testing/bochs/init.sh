#!/bin/busybox sh
# shellcheck shell=dash
# okvm Bochs bench, guest side: /init of the initramfs that
# tools/testing/bochs/run builds.  Runs as PID 1 under busybox sh inside
# Bochs (an emulated Intel CPU with VMX), with no disk and no network: the
# modules, the job and the files to test were all packed into the initramfs.
#
# Channels: the kernel console is ttyS0 (com1); everything the host needs
# goes over ttyS1 (com2) as tagged lines, one write per line:
#   L text    bench log line          S         CMD is starting
#   O text    a line of CMD's stdout  E text    a line of CMD's stderr
#   R n       CMD's exit status       X         loading the modules failed
#   U         unloading failed        D text    a line of the final dmesg
#   F         everything was sent; poweroff follows
#
# Inputs in /okvm (written by run):
#   job           OKVM_MODE (ours|upstream|none), OKVM_KEEP, OKVM_CWD,
#                 OKVM_HEARTBEAT
#   modules.list  "name file.ko" per line, in load order
#   params        "name arg" per line (insmod arguments)
#   env           export statements (part of the host environment)
#   cmd           the shell text to run (through sh -c)

# Applet links where Debian has the real tools; files copied into the
# initramfs (bash, ...) are kept.
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /sbin /usr/bin /usr/sbin
/bin/busybox --install -s 2>/dev/null
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# /tmp stays on the initramfs: a tmpfs there would hide files packed
# under /tmp (a checkout in /tmp, as CI may use).
mkdir -p /tmp && chmod 1777 /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo okvm-bochs >/proc/sys/kernel/hostname
ip link set lo up 2>/dev/null

# The control channel: raw (no \n -> \r\n), fastest standard rate.
stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null
exec 3>/dev/ttyS1

say() { echo "okvm-init: $*" >/dev/console; }
log() { printf 'L %s\n' "$*" >&3; say "$*"; }

# Wait until the driver has handed every queued byte of ttyS1 to the UART:
# its transmit count (/proc/tty/driver/serial) stops moving for 0.2 s of
# guest time, far longer than the 16-byte FIFO needs.  The close below
# waits for that too, but interruptibly: busybox `timeout` (run_tests.sh)
# leaves a watcher process per test that lives up to a second after it,
# and, orphaned to us, its exit's SIGCHLD cut that wait short; the last
# ~3 KB of the kernel log and F were lost.
drain_ttyS1() {
	local now last=-1 n=0
	while [ $n -lt 300 ]; do
		now=$(sed -n 's/^1:.* tx:\([0-9]*\).*/\1/p' /proc/tty/driver/serial)
		[ -n "$now" ] || { say "no ttyS1 transmit count"; sleep 2; return 1; }
		[ "$now" = "$last" ] && return 0
		last=$now
		n=$((n + 1))
		sleep 0.2
	done
	say "ttyS1 still sending after 60s"
}

finish() {
	dmesg >/tmp/.dmesg 2>&1
	sed 's/^/D /' /tmp/.dmesg >&3
	printf 'F\n' >&3
	drain_ttyS1
	# Nothing else may hold ttyS1 open (CMD and the heartbeat run without
	# fd 3), so this is its last close.
	exec 3>&-
	sync
	poweroff -f
	sleep 60         # not reached
}

# shellcheck source=/dev/null
. /okvm/job || { log "cannot read /okvm/job"; finish; }

uptime_s() { cut -d' ' -f1 /proc/uptime; }
# The host judges the kernel log from here on (see run: BOOT_MARK).
echo "okvm-bench: init started" >/dev/kmsg
log "init up at $(uptime_s)s guest time"

loaded=''
load_modules() {
	[ "$OKVM_MODE" = none ] && return 0
	while read -r name file; do
		if [ -e "/sys/module/$name" ]; then
			log "module $name is already loaded"
			return 1
		fi
		# shellcheck disable=SC2046 # one insmod argument per word
		out=$(insmod "/okvm/mod/$file" $(sed -n "s/^$name //p" /okvm/params) 2>&1)
		rc=$?
		[ -n "$out" ] && log "$out"
		if [ $rc -ne 0 ]; then
			log "insmod $file failed"
			return 1
		fi
		loaded="$name $loaded"
	done </okvm/modules.list
	return 0
}

unload_modules() {
	for name in $loaded; do
		out=$(rmmod "$name" 2>&1) || { log "rmmod $name failed: $out"; return 1; }
	done
	return 0
}

if ! load_modules; then
	log "dmesg tail after the failed load:"
	dmesg | tail -n 20 | sed 's/^/L /' >&3
	printf 'X\n' >&3
	finish
fi
[ "$OKVM_MODE" = none ] || log "modules loaded at $(uptime_s)s"
for m in kvm_intel kvm_amd; do
	[ -d "/sys/module/$m/parameters" ] || continue
	log "$m: $(cd "/sys/module/$m/parameters" && grep -H . ept vpid \
		unrestricted_guest enable_apicv npt 2>/dev/null | tr ':\n' '= ')"
done

# Relay CMD's output through two fifos, one write() per line, each line
# as soon as it is complete (busybox sed would hold the last one back).
mkfifo /run/.out /run/.err
awk '{ print "O " $0; fflush() }' </run/.out >&3 &
r1=$!
awk '{ print "E " $0; fflush() }' </run/.err >&3 &
r2=$!
# --heartbeat: a sign of life on the console every OKVM_HEARTBEAT guest
# seconds, with the stacks of blocked tasks (sysrq w), to tell a wedged
# kernel from a slow test.
hb=''
if [ "${OKVM_HEARTBEAT:-0}" -gt 0 ]; then
	(
		while sleep "$OKVM_HEARTBEAT"; do
			say "heartbeat at $(uptime_s)s"
			echo w >/proc/sysrq-trigger
		done
	) 3>&- &
	hb=$!
fi
printf 'S\n' >&3
(
	# shellcheck source=/dev/null
	. /okvm/env
	cd "$OKVM_CWD" || { echo "bochs-run: cannot cd to $OKVM_CWD" >&2; exit 126; }
	exec sh -c "$(cat /okvm/cmd)"
) </dev/null >/run/.out 2>/run/.err 3>&-
rc=$?
wait $r1 $r2
[ -n "$hb" ] && kill "$hb"
printf '\nR %s\n' "$rc" >&3
say "CMD exit status $rc"

if [ "$OKVM_KEEP" != 1 ] && ! unload_modules; then
	printf 'U\n' >&3
fi
finish
