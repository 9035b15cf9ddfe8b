# shellcheck shell=bash disable=SC2154,SC2034
# okvm nested-VM bench: boot image preparation, sourced by ./run.
#
# Picks the kernel, unpacks its bzImage into a PVH-bootable vmlinux and
# builds the busybox initramfs (init.sh + the virtio/9p modules).  Results
# are cached in $cache (~/.cache/okvm), keyed by kernel version and the
# content of init.sh, busybox and the modules; nothing relies on the cache.
#
# Uses from ./run: msg, die, $EX_INFRA, $verbose, $bzimage, $kernel,
# $cache, $work, $VMDIR.  Sets: $kernel, $kver, $boot_image, $initrd.

# Modules the initramfs needs to mount 9p (dependencies are added).
INITRD_MODS=(virtio_pci 9pnet_virtio 9p)

# ---------------------------------------------------------------- kernel

# Print the version string embedded in a bzImage (boot protocol header).
bzimage_version() {
	local img=$1 magic off
	magic=$(dd if="$img" bs=1 skip=514 count=4 2>/dev/null) || return 1
	[ "$magic" = HdrS ] || return 1
	off=$(od -An -tu2 -j 526 -N2 "$img" | tr -d ' ')
	[ -n "$off" ] && [ "$off" -gt 0 ] || return 1
	tail -c +$((off + 513)) "$img" | head -c 128 | tr '\0' '\n' | head -n1 |
		cut -d' ' -f1
}

pick_kernel() {
	if [ -z "$kernel" ]; then
		kernel=$("$(dirname "${BASH_SOURCE[0]}")/../default-kernel") ||
			die $EX_INFRA "no /boot/vmlinuz-*-amd64 with /lib/modules (run tools/testing/deps.sh)"
	fi
	[ -r "$kernel" ] || die $EX_INFRA "cannot read kernel $kernel"
	kver=$(bzimage_version "$kernel") || kver=''
	[ -n "$kver" ] || kver=$(basename "$kernel" | sed -n 's/^vmlinuz-//p')
	[ -d "${OKVM_MODROOT:-}/lib/modules/$kver" ] ||
		die $EX_INFRA "no ${OKVM_MODROOT:-}/lib/modules/$kver for $kernel"
}

# Unpack the bzImage payload into an ELF vmlinux that QEMU can start
# through its PVH entry point: this skips the real-mode setup and the
# in-guest decompression, which under TCG cost ~4 s per boot.  Sets
# $boot_image to the vmlinux, or leaves the bzImage if that is impossible.
extract_vmlinux() {
	local setup_sects off len magic out tmp
	boot_image=$kernel
	((bzimage)) && return 0
	command -v readelf >/dev/null || return 0
	out=$cache/vmlinux-$kver-$(stat -L -c '%s-%Y' "$kernel")
	if [ ! -s "$out" ]; then
		setup_sects=$(od -An -tu1 -j 497 -N1 "$kernel" | tr -d ' ')
		off=$(od -An -tu4 -j 584 -N4 "$kernel" | tr -d ' ')
		len=$(od -An -tu4 -j 588 -N4 "$kernel" | tr -d ' ')
		off=$(((setup_sects + 1) * 512 + off))
		magic=$(od -An -tx1 -j "$off" -N4 "$kernel" | tr -d ' ')
		tmp=$(mktemp "$cache/.vmlinux.XXXXXX") || return 0
		# The payload ends with the 4-byte uncompressed size, which the
		# decompressors report as trailing garbage: trust the ELF check.
		tail -c +$((off + 1)) "$kernel" | head -c "$len" | case "$magic" in
		fd377a58) xz -qdc ;;
		28b52ffd) zstd -qdc ;;
		1f8b*) gzip -qdc ;;
		*) cat >/dev/null ;;
		esac >"$tmp" 2>/dev/null
		# QEMU needs the PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY = 0x12).
		if readelf -n "$tmp" 2>/dev/null | grep -q 'note type: (0x00000012)'; then
			chmod 644 "$tmp"
			mv -f "$tmp" "$out"
		else
			rm -f "$tmp"
			((verbose)) && msg "cannot unpack a PVH vmlinux from $kernel; booting the bzImage"
			return 0
		fi
	fi
	touch "$out"
	boot_image=$out
}

# Entries unused for two weeks are stale (other kernels, older init.sh).
# Never delete eagerly: a concurrent run of another checkout may use them.
prune_cache() {
	[ "$cache" = "$work" ] && return 0
	find "$cache" -maxdepth 1 -type f \( -name 'initramfs-*' -o -name 'vmlinux-*' \
		-o -name '.initramfs.*' -o -name '.vmlinux.*' \) -mtime +14 -delete 2>/dev/null
}

# ---------------------------------------------------------------- initramfs

# True if the 64-bit ELF file has no PT_INTERP program header (static).
elf_is_static() {
	local phoff phentsize phnum i type
	phoff=$(od -An -tu8 -j 32 -N8 "$1" | tr -d ' ')
	phentsize=$(od -An -tu2 -j 54 -N2 "$1" | tr -d ' ')
	phnum=$(od -An -tu2 -j 56 -N2 "$1" | tr -d ' ')
	[ -n "$phoff" ] && [ -n "$phnum" ] || return 1
	for ((i = 0; i < phnum; i++)); do
		type=$(od -An -tu4 -j $((phoff + i * phentsize)) -N4 "$1" | tr -d ' ')
		[ "$type" = 3 ] && return 1
	done
	return 0
}

find_busybox() {
	local b
	for b in /bin/busybox /usr/bin/busybox $(command -v busybox 2>/dev/null); do
		[ -x "$b" ] && elf_is_static "$b" && { echo "$b"; return 0; }
	done
	return 1
}

# Build (or reuse from the cache) the initramfs; sets $initrd.
build_initramfs() {
	local busybox mods m key dir name tmp
	busybox=$(find_busybox) || die $EX_INFRA "need a static busybox (apt-get install busybox-static)"
	# OKVM_MODROOT: the kernel's modules live under another root (a
	# kernel installed in a chroot, see tools/testing/sid-check).
	mods=$(modprobe ${OKVM_MODROOT:+-d "$OKVM_MODROOT"} -S "$kver" -a \
		--show-depends "${INITRD_MODS[@]}" |
		awk '$1 == "insmod" && !seen[$2]++ { print $2 }') ||
		die $EX_INFRA "cannot resolve ${INITRD_MODS[*]} for $kver"
	key=$({ echo "$kver"; cat "$VMDIR/init.sh"; cksum "$busybox";
		for m in $mods; do stat -c '%n %s %Y' "$m"; done; } | sha256sum | cut -c1-16)

	initrd=$cache/initramfs-$kver-$key.cpio
	[ -s "$initrd" ] && { touch "$initrd"; return 0; }

	((verbose)) && msg "building $initrd"
	dir=$work/initramfs
	mkdir -p "$dir/bin" "$dir/dev" "$dir/lib/okvm"
	cp "$busybox" "$dir/bin/busybox"
	cp "$VMDIR/init.sh" "$dir/init"
	chmod 755 "$dir/init" "$dir/bin/busybox"
	mknod "$dir/dev/console" c 5 1 2>/dev/null # the kernel has its own otherwise
	for m in $mods; do
		name=$(basename "$m")
		# Debian 6.1 ships plain .ko; later kernels compress them.
		case "$m" in
		*.ko.xz) xz -dc "$m" >"$dir/lib/okvm/${name%.xz}" ;;
		*.ko.zst) zstd -qdc "$m" >"$dir/lib/okvm/${name%.zst}" ;;
		*.ko.gz) gzip -dc "$m" >"$dir/lib/okvm/${name%.gz}" ;;
		*) cp "$m" "$dir/lib/okvm/$name" ;;
		esac || die $EX_INFRA "cannot unpack $m"
		echo "${name%.ko*}.ko" >>"$dir/lib/okvm/modules.list"
	done
	tmp=$(mktemp "$cache/.initramfs.XXXXXX") || die $EX_INFRA "mktemp in $cache"
	(cd "$dir" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp" ||
		die $EX_INFRA "cpio failed"
	chmod 644 "$tmp"
	mv -f "$tmp" "$initrd"
	rm -rf "$dir"
}

