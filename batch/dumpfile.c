// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Getting a file into a shape libkdumpfile 0.5.1 reads.
 *
 * - makedumpfile's *flattened* format (what `makedumpfile -F` and QEMU's
 *   kdump-* dump-guest-memory write): a 4 KiB header "makedumpfile", then
 *   records {offset, size} (big-endian 64-bit) each followed by size bytes
 *   that belong at offset of the real file, ended by {-1, -1}.
 *   libkdumpfile 0.5.1 calls it "Unknown file format"; we rebuild the file
 *   into an unlinked temp file, exactly as `makedumpfile -R out < in`.
 * - QEMU's s390x ELF: its big-endian section header table is misread by
 *   libkdumpfile; zeroing e_shoff/e_shnum/e_shstrndx in a copy fixes it.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"

#define FLAT_HEADER_SIZE 4096
#define COPY_CHUNK (1u << 20)

/* A macro: clang's analyzer misreads a va_list wrapper (see core/kernel.c). */
#define say(why, len, ...) snprintf(why, len, __VA_ARGS__)

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Read exactly len bytes at off; 0, or -1 on error/EOF. */
static int pread_all(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

/* An unlinked file in $TMPDIR: nothing is left behind, whatever happens. */
static int temp_fd(char *why, size_t why_len)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/ptwalk-batch.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		say(why, why_len, "cannot create a temp file in %s: %s", dir, strerror(errno));
		return -1;
	}
	unlink(path);
	return fd;
}

static int unflatten(int in, const char *path, char *why, size_t why_len)
{
	uint8_t hdr[16], *buf;
	off_t pos = FLAT_HEADER_SIZE;
	int out = temp_fd(why, why_len);

	if (out < 0)
		return -1;
	buf = malloc(COPY_CHUNK);
	if (!buf) {
		close(out);
		say(why, why_len, "out of memory");
		return -1;
	}
	for (;;) {
		uint64_t off, size;

		if (pread_all(in, hdr, sizeof(hdr), pos)) {
			say(why, why_len, "flattened dump truncated at byte %lld (no end marker): "
			    "incomplete copy?", (long long)pos);
			goto fail;
		}
		pos += (off_t)sizeof(hdr);
		off = be64(hdr);
		size = be64(hdr + 8);
		if (off == UINT64_MAX && size == UINT64_MAX)
			break;
		if (off >> 62 || size >> 40) {
			say(why, why_len, "flattened dump corrupt at byte %lld (record offset %llx size %llx)",
			    (long long)(pos - (off_t)sizeof(hdr)), (unsigned long long)off,
			    (unsigned long long)size);
			goto fail;
		}
		while (size) {
			size_t n = size < COPY_CHUNK ? (size_t)size : COPY_CHUNK;

			if (pread_all(in, buf, n, pos)) {
				say(why, why_len, "flattened dump truncated at byte %lld: incomplete copy?",
				    (long long)pos);
				goto fail;
			}
			if (pwrite_all(out, buf, n, (off_t)off)) {
				say(why, why_len, "cannot write the rebuilt dump of %s to $TMPDIR: %s "
				    "(convert it yourself: makedumpfile -R out < %s)", path,
				    strerror(errno), path);
				goto fail;
			}
			pos += (off_t)n;
			off += n;
			size -= n;
		}
	}
	free(buf);
	return out;
fail:
	free(buf);
	close(out);
	return -1;
}

/*
 * Copy the whole file, then patch the ELF header fields libkdumpfile
 * misreads.  copy_file_range() shares the blocks where the filesystem can
 * (btrfs, XFS) and copies inside the kernel elsewhere.
 */
static int s390x_elf_fix(int in, const char *path, char *why, size_t why_len)
{
	int out = temp_fd(why, why_len);
	uint8_t *buf, zero[8] = { 0 };
	off_t pos = 0, ipos = 0, opos = 0;
	ssize_t n;

	if (out < 0)
		return -1;
	while ((n = copy_file_range(in, &ipos, out, &opos, 1u << 30, 0)) > 0)
		;
	if (n == 0 && ipos > 0)
		goto patch;
	/* No copy_file_range here (old kernel, other filesystems): by hand. */
	if (ftruncate(out, 0)) {
		say(why, why_len, "cannot copy %s to $TMPDIR: %s", path, strerror(errno));
		close(out);
		return -1;
	}
	buf = malloc(COPY_CHUNK);
	if (!buf) {
		say(why, why_len, "out of memory");
		close(out);
		return -1;
	}
	while ((n = pread(in, buf, COPY_CHUNK, pos)) > 0) {
		if (pwrite_all(out, buf, (size_t)n, pos)) {
			say(why, why_len, "cannot copy %s to $TMPDIR: %s", path, strerror(errno));
			free(buf);
			close(out);
			return -1;
		}
		pos += n;
	}
	free(buf);
	if (n < 0) {
		say(why, why_len, "cannot read %s: %s", path, strerror(errno));
		close(out);
		return -1;
	}
patch:
	/* Elf64_Ehdr: e_shoff at 40 (8 bytes), e_shnum at 60, e_shstrndx at 62. */
	if (pwrite_all(out, zero, 8, 40) || pwrite_all(out, zero, 2, 60) ||
	    pwrite_all(out, zero, 2, 62)) {
		say(why, why_len, "cannot patch the copy of %s", path);
		close(out);
		return -1;
	}
	return out;
}

static uint64_t get(const uint8_t *p, int size, int be)
{
	uint64_t v = 0;

	for (int i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (be ? 8 * (size - 1 - i) : 8 * i);
	return v;
}

/*
 * A truncated ELF dump: a PT_LOAD segment's data ends past the end of the
 * file.  Returns 0 when the file is whole (or not ELF64).
 */
static int elf_truncated(int fd, uint64_t file_size, char *why, size_t why_len)
{
	uint8_t eh[64], ph[56];
	int be;
	uint64_t phoff, phnum, need = 0;
	unsigned phentsize;

	if (pread_all(fd, eh, sizeof(eh), 0) || memcmp(eh, "\177ELF", 4) || eh[4] != 2)
		return 0;
	be = eh[5] == 2;
	phoff = get(eh + 32, 8, be);
	phentsize = (unsigned)get(eh + 54, 2, be);
	phnum = get(eh + 56, 2, be);
	if (phnum == 0xffff) { /* PN_XNUM: the count is in section 0's sh_info */
		uint8_t sh[64];

		if (pread_all(fd, sh, sizeof(sh), (off_t)get(eh + 40, 8, be)))
			return 0;
		phnum = get(sh + 44, 4, be);
	}
	if (phentsize < sizeof(ph) || phnum > (1u << 20))
		return 0;
	if (phoff + phnum * phentsize > file_size) {
		say(why, why_len, "truncated: its ELF program headers end at byte %llu, the file "
		    "has %llu bytes (incomplete copy?)",
		    (unsigned long long)(phoff + phnum * phentsize), (unsigned long long)file_size);
		return -1;
	}
	for (uint64_t i = 0; i < phnum; i++) {
		if (pread_all(fd, ph, sizeof(ph), (off_t)(phoff + i * phentsize)))
			return 0;
		if (get(ph, 4, be) == 1 /* PT_LOAD */ &&
		    get(ph + 8, 8, be) + get(ph + 32, 8, be) > need)
			need = get(ph + 8, 8, be) + get(ph + 32, 8, be);
	}
	if (need > file_size) {
		say(why, why_len, "truncated: its ELF segments need %llu bytes, the file has %llu "
		    "(incomplete copy?)", (unsigned long long)need, (unsigned long long)file_size);
		return -1;
	}
	return 0;
}

/*
 * A truncated kdump-compressed (diskdump) file.  Layout (makedumpfile's
 * diskdump_mgmt.h): the header block, sub_hdr_size blocks, two bitmaps of
 * bitmap_blocks/2 blocks each (the second marks the dumped pages), then
 * one 24-byte page_desc {offset, size, flags, page_flags} per dumped page.
 * The last descriptor's data must lie inside the file.
 */
static int diskdump_truncated(int fd, uint64_t file_size, char *why, size_t why_len)
{
	uint8_t h[464], desc[24], *bitmap;
	uint64_t block, sub, blocks, half, ndumped = 0, desc_off, last_end;
	int be;

	if (pread_all(fd, h, sizeof(h), 0) || memcmp(h, "KDUMP   ", 8))
		return 0;
	/* The header is in the dumped machine's byte order (s390x: big). */
	be = get(h + 8, 4, 0) > 0xffff;
	block = get(h + 428, 4, be);
	sub = get(h + 432, 4, be);
	blocks = get(h + 436, 4, be);
	if (block < 512 || block > (1u << 20) || (block & (block - 1)) || blocks > (1u << 24))
		return 0; /* another byte order or layout: leave it to libkdumpfile */
	half = blocks / 2 * block;
	desc_off = (1 + sub + blocks) * block;
	if (desc_off > file_size) {
		say(why, why_len, "truncated: the file ends (%llu bytes) inside its headers and "
		    "bitmaps (%llu bytes; incomplete copy?)", (unsigned long long)file_size,
		    (unsigned long long)desc_off);
		return -1;
	}
	bitmap = malloc(half ? half : 1);
	if (!bitmap || pread_all(fd, bitmap, half, (off_t)((1 + sub) * block + half))) {
		free(bitmap);
		return 0;
	}
	for (uint64_t i = 0; i < half; i++)
		ndumped += (unsigned)__builtin_popcount(bitmap[i]);
	free(bitmap);
	if (!ndumped)
		return 0;
	if (pread_all(fd, desc, sizeof(desc), (off_t)(desc_off + (ndumped - 1) * 24))) {
		say(why, why_len, "truncated: the file ends (%llu bytes) inside its table of %llu "
		    "page descriptors (incomplete copy?)", (unsigned long long)file_size,
		    (unsigned long long)ndumped);
		return -1;
	}
	last_end = get(desc, 8, be) + get(desc + 8, 4, be);
	if (last_end > file_size) {
		say(why, why_len, "truncated: its last page ends at byte %llu, the file has %llu "
		    "(incomplete copy?)", (unsigned long long)last_end,
		    (unsigned long long)file_size);
		return -1;
	}
	return 0;
}

int bd_prepare_file(const char *path, int allow_convert, const char **converted,
		    char *why, size_t why_len)
{
	uint8_t head[64];
	struct stat st;
	int fd, out;

	*converted = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say(why, why_len, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		say(why, why_len, "not a regular file");
		close(fd);
		return -1;
	}
	if (pread_all(fd, head, sizeof(head), 0)) {
		say(why, why_len, "not a vmcore: only %lld bytes", (long long)st.st_size);
		close(fd);
		return -1;
	}
	if (memcmp(head, "makedumpfile", 12) == 0 && !head[12]) {
		if (!allow_convert) {
			say(why, why_len, "flattened makedumpfile format: convert it first with "
			    "'makedumpfile -R %s.kdump < %s' (or drop --no-convert)", path, path);
			close(fd);
			return -1;
		}
		out = unflatten(fd, path, why, why_len);
		close(fd);
		*converted = "flattened";
		return out;
	}
	/* ELF64, big-endian, e_machine EM_S390 (22), section headers present. */
	if (memcmp(head, "\177ELF", 4) == 0 && head[4] == 2 && head[5] == 2 &&
	    head[18] == 0 && head[19] == 22 && (be64(head + 40) || head[60] || head[61])) {
		if (!allow_convert) {
			say(why, why_len, "QEMU s390x ELF dump: libkdumpfile misreads its section "
			    "headers; drop --no-convert to read a patched copy");
			close(fd);
			return -1;
		}
		out = s390x_elf_fix(fd, path, why, why_len);
		close(fd);
		*converted = "s390x-elf-sections";
		return out;
	}
	if (elf_truncated(fd, (uint64_t)st.st_size, why, why_len) ||
	    diskdump_truncated(fd, (uint64_t)st.st_size, why, why_len)) {
		close(fd);
		return -1;
	}
	return fd;
}
