/*
 * ptwalk-probe: runs inside the QEMU guest as the task that panics the kernel.
 *
 * It maps pages with known contents at fixed virtual addresses, looks up where they
 * landed in physical memory (/proc/self/pagemap; the guest runs it as root so PFNs are
 * visible), prints everything as an answer key on the console, one fact per line:
 *
 *     PTWALK_KEY name=value
 *     ...
 *     PTWALK_KEY_END
 *
 * and then writes 'c' to /proc/sysrq-trigger, so this very task panics the kernel and
 * its page tables end up in the dump.  sample-dumps/README.md documents every key.
 * The key lines are preceded by a line PTWALK_KEY_BEGIN (not a key), so the host can
 * count them apart from keys that the scenario prints before or after.
 *
 * With --no-panic (scenarios that panic the kernel otherwise) it prints the same keys,
 * creates /tmp/ptwalk-probe.ready and then sleeps forever, its pages still mapped, so
 * they are in the dump that the scenario's own panic produces.
 *
 * Page pattern: a page with number n at virtual address va holds the text
 *     "PTWALK page <n> va=0x<va hex>\n"
 * followed by the byte 0x41 + n % 26 ('A'..'Z') up to the end of the 4 KiB page.
 *
 * Build (host): gcc -static -O2 -Wall -Wextra -o ptwalk-probe ptwalk-probe.c
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif

#define PAGE_SZ 4096UL
#define HUGE_SZ (2UL << 20)

/* Fixed virtual addresses (documented in sample-dumps/README.md). */
#define VA_DATA      0x10000000UL     /* 8 pages, read-write, written */
#define VA_RO        0x10100000UL     /* 1 page, written then mprotect(PROT_READ) */
#define VA_NONE      0x10200000UL     /* 1 page, written then mprotect(PROT_NONE) */
#define VA_ZERO      0x10300000UL     /* 1 page, only read: maps the shared zero page */
#define VA_UNTOUCHED 0x10400000UL     /* 1 page, mapped, never accessed: no PTE */
#define VA_HUGE      0x40000000UL     /* 2 MiB, MADV_HUGEPAGE, written */
#define VA_HIGH47    0x7e5a5a5a5000UL /* 1 page near the top of the 47-bit user space */
#define VA_HIGH56    0xabcdef12345000UL /* 1 page above 47 bits: only with 5-level paging */

#define NDATA 8
#define KPF_COMPOUND_HEAD 15
#define KPF_HUGE 17
#define KPF_THP 22
#define KPF_ZERO_PAGE 24

static int nkeys;
static int pagemap_fd = -1, kpageflags_fd = -1;

/* One key line, written with a single write(2) so it is not split on the console. */
static void key(const char *fmt, ...)
{
	char buf[1024];
	int len;
	va_list ap;

	len = snprintf(buf, sizeof(buf), "PTWALK_KEY ");
	va_start(ap, fmt);
	len += vsnprintf(buf + len, sizeof(buf) - len - 1, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	buf[len++] = '\n';
	if (write(1, buf, len) != len)
		_exit(3);
	nkeys++;
}

static void note(const char *fmt, ...)
{
	char buf[512];
	int len;
	va_list ap;

	len = snprintf(buf, sizeof(buf), "ptwalk-probe: ");
	va_start(ap, fmt);
	len += vsnprintf(buf + len, sizeof(buf) - len - 1, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	buf[len++] = '\n';
	if (write(2, buf, len) < 0)
		_exit(3);
}

/* Read a small text file into buf (NUL-terminated), trailing newline stripped. */
static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	buf[0] = '\0';
	if (fd < 0)
		return -1;
	while (total < (ssize_t)size - 1 && (n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	while (total > 0 && (buf[total - 1] == '\n' || buf[total - 1] == '\r'))
		buf[--total] = '\0';
	return 0;
}

static unsigned char fill_byte(unsigned n)
{
	return 0x41 + n % 26;
}

static int header_text(char *buf, size_t size, unsigned n, unsigned long va)
{
	return snprintf(buf, size, "PTWALK page %u va=0x%lx\n", n, va);
}

static void fill_page(void *page, unsigned n, unsigned long va)
{
	char hdr[64];
	int len = header_text(hdr, sizeof(hdr), n, va);

	memcpy(page, hdr, len);
	memset((char *)page + len, fill_byte(n), PAGE_SZ - len);
}

static void *map_fixed(unsigned long va, size_t size, const char *what)
{
	void *p = mmap((void *)va, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED) {
		note("mmap %s at 0x%lx failed: %s", what, va, strerror(errno));
		return NULL;
	}
	if ((unsigned long)p != va) { /* very old kernels ignore MAP_FIXED_NOREPLACE */
		note("mmap %s: wanted 0x%lx, got %p", what, va, p);
		munmap(p, size);
		return NULL;
	}
	return p;
}

static uint64_t pagemap_entry(unsigned long va)
{
	uint64_t e = 0;

	if (pagemap_fd < 0 || pread(pagemap_fd, &e, sizeof(e), (off_t)(va / PAGE_SZ) * 8) != sizeof(e))
		return 0;
	return e;
}

static int kpageflags(uint64_t pfn, uint64_t *flags)
{
	*flags = 0;
	if (kpageflags_fd < 0)
		return -1;
	return pread(kpageflags_fd, flags, sizeof(*flags), (off_t)pfn * 8) == sizeof(*flags) ? 0 : -1;
}

#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)
#define PM_PFN_MASK ((1ULL << 55) - 1)

static char page_list[1024];

/*
 * Print the keys of one page.  pattern: "text" (header + fill, n valid), "zero"
 * (never written; all zero bytes) or "none" (never accessed; no PTE expected).
 */
static void report_page(const char *name, unsigned long va, const char *prot,
			const char *pattern, unsigned n)
{
	uint64_t e = pagemap_entry(va), flags;
	uint64_t pfn = e & PM_PFN_MASK;
	int present = !!(e & PM_PRESENT);

	key("page.%s.va=0x%lx", name, va);
	key("page.%s.prot=%s", name, prot);
	key("page.%s.pattern=%s", name, pattern);
	if (!strcmp(pattern, "text")) {
		char hdr[64];

		header_text(hdr, sizeof(hdr), n, va);
		hdr[strlen(hdr) - 1] = '\0';
		key("page.%s.n=%u", name, n);
		key("page.%s.header=%s", name, hdr);
		key("page.%s.fill=0x%02x", name, fill_byte(n));
	}
	key("page.%s.pagemap=0x%016llx", name, (unsigned long long)e);
	key("page.%s.present=%d", name, present);
	if (present && !(e & PM_SWAP)) {
		key("page.%s.pfn=0x%llx", name, (unsigned long long)pfn);
		key("page.%s.phys=0x%llx", name, (unsigned long long)pfn * PAGE_SZ);
		if (kpageflags(pfn, &flags) == 0)
			key("page.%s.kpageflags=0x%llx", name, (unsigned long long)flags);
	}
	size_t used = strlen(page_list);

	if (used + strlen(name) + 2 < sizeof(page_list))
		snprintf(page_list + used, sizeof(page_list) - used, "%s%s", used ? " " : "", name);
}

/* AnonHugePages (kB) of the VMA that starts at va, from /proc/self/smaps; -1 if unknown. */
static long smaps_anon_huge_kb(unsigned long va)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	int in_vma = 0;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in_vma = start <= va && va < end;
			continue;
		}
		if (in_vma && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static void report_iomem(void)
{
	FILE *f = fopen("/proc/iomem", "re");
	char line[256];
	int nram = 0, npmem = 0;

	if (!f) {
		key("iomem.error=%s", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end;
		char *colon = strstr(line, " : ");
		char *desc;
		int top = line[0] != ' ';

		if (!colon || sscanf(line, " %llx-%llx", &start, &end) != 2)
			continue;
		desc = colon + 3;
		desc[strcspn(desc, "\n")] = '\0';
		if (top && !strcmp(desc, "System RAM"))
			key("iomem.ram.%d=0x%llx-0x%llx", nram++, start, end);
		else if (strstr(desc, "Persistent Memory"))
			key("iomem.pmem.%d=0x%llx-0x%llx", npmem++, start, end);
		else if (!strcmp(desc, "Kernel code"))
			key("iomem.kernel_code=0x%llx-0x%llx", start, end);
		else if (!strcmp(desc, "Kernel rodata"))
			key("iomem.kernel_rodata=0x%llx-0x%llx", start, end);
		else if (!strcmp(desc, "Kernel data"))
			key("iomem.kernel_data=0x%llx-0x%llx", start, end);
		else if (!strcmp(desc, "Kernel bss"))
			key("iomem.kernel_bss=0x%llx-0x%llx", start, end);
	}
	fclose(f);
	key("iomem.ram.count=%d", nram);
	key("iomem.pmem.count=%d", npmem);
}

/*
 * The kernel's own count of its direct map by page size (/proc/meminfo
 * DirectMap4k/2M/1G on x86, kept by the code that maps and splits it):
 * meminfo.directmap4k_kb=... .  The tests compare ptdump's direct map with it.
 */
static void report_directmap(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256], size[16];
	unsigned long long kb;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "DirectMap%15[0-9A-Za-z]: %llu kB", size, &kb) != 2)
			continue;
		for (char *c = size; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		key("meminfo.directmap%s_kb=%llu", size, kb);
	}
	fclose(f);
}

static int cpuinfo_has_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[4096];
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		found = 0;
		for (char *tok = strtok(strchr(line, ':') ? strchr(line, ':') + 1 : line, " \n");
		     tok; tok = strtok(NULL, " \n"))
			if (!strcmp(tok, flag))
				found = 1;
		break;
	}
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	char buf[1024];
	struct utsname u;
	unsigned n = 0;
	volatile char sink;
	char *p;
	int high56_ok = 0;
	int no_panic = argc > 1 && !strcmp(argv[1], "--no-panic");

	pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pagemap_fd < 0)
		note("cannot open /proc/self/pagemap: %s", strerror(errno));
	kpageflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	/* --- map and fill ------------------------------------------------------------ */
	p = map_fixed(VA_DATA, NDATA * PAGE_SZ, "data");
	if (!p)
		return 1;
	for (int i = 0; i < NDATA; i++)
		fill_page(p + i * PAGE_SZ, n + i, VA_DATA + i * PAGE_SZ);
	unsigned n_data = n;
	n += NDATA;

	unsigned n_ro = n++;
	p = map_fixed(VA_RO, PAGE_SZ, "ro");
	if (!p)
		return 1;
	fill_page(p, n_ro, VA_RO);
	if (mprotect(p, PAGE_SZ, PROT_READ))
		note("mprotect ro: %s", strerror(errno));

	unsigned n_none = n++;
	p = map_fixed(VA_NONE, PAGE_SZ, "none");
	if (!p)
		return 1;
	fill_page(p, n_none, VA_NONE);
	if (mprotect(p, PAGE_SZ, PROT_NONE))
		note("mprotect none: %s", strerror(errno));

	p = map_fixed(VA_ZERO, PAGE_SZ, "zero");
	if (!p)
		return 1;
	sink = p[0]; /* read fault on anonymous memory: maps the shared zero page */
	(void)sink;

	if (!map_fixed(VA_UNTOUCHED, PAGE_SZ, "untouched"))
		return 1;

	unsigned n_high47 = n++;
	p = map_fixed(VA_HIGH47, PAGE_SZ, "high47");
	if (p)
		fill_page(p, n_high47, VA_HIGH47);

	/* Only possible when the kernel runs 5-level paging (user space up to 56 bits). */
	unsigned n_high56 = n++;
	int high56_errno = 0;
	p = mmap((void *)VA_HIGH56, PAGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		high56_errno = errno;
	else if ((unsigned long)p != VA_HIGH56)
		munmap(p, PAGE_SZ), high56_errno = EFAULT;
	else {
		high56_ok = 1;
		fill_page(p, n_high56, VA_HIGH56);
	}

	unsigned n_huge = n;	/* the last region: its pages are n_huge on, nothing after */
	p = map_fixed(VA_HUGE, HUGE_SZ, "huge");
	if (!p)
		return 1;
	int madv = madvise(p, HUGE_SZ, MADV_HUGEPAGE);
	int madv_errno = errno;
	for (unsigned long i = 0; i < HUGE_SZ / PAGE_SZ; i++)
		fill_page(p + i * PAGE_SZ, n_huge + i, VA_HUGE + i * PAGE_SZ);

	/* --- general facts --------------------------------------------------------------- */
	if (write(1, "PTWALK_KEY_BEGIN\n", 17) != 17)
		return 3;
	key("pid=%d", (int)getpid());
	prctl(PR_GET_NAME, buf, 0, 0, 0);
	buf[16] = '\0';
	key("comm=%s", buf);
	if (uname(&u) == 0) {
		key("uname_release=%s", u.release);
		key("uname_machine=%s", u.machine);
		key("uname_version=%s", u.version);
	}
	read_text("/proc/cmdline", buf, sizeof(buf));
	key("cmdline=%s", buf);
	key("page_size=0x%lx", (unsigned long)sysconf(_SC_PAGESIZE));
	int la57 = cpuinfo_has_flag("la57");
	key("cpuinfo_la57=%d", la57);
	key("cpuinfo_pse=%d", cpuinfo_has_flag("pse"));
	key("high56_mmap=%s", high56_ok ? "ok" : strerror(high56_errno));
	key("guest_paging_levels=%d", high56_ok ? 5 : 4);
	if (read_text("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)) == 0)
		key("thp_enabled=%s", buf);
	/* "Mitigation: PTI" means the kernel runs with page table isolation. */
	if (read_text("/sys/devices/system/cpu/vulnerabilities/meltdown", buf, sizeof(buf)) == 0)
		key("cpu_vuln_meltdown=%s", buf);
	report_iomem();
	report_directmap();

	/* --- the pages ----------------------------------------------------------------- */
	for (int i = 0; i < NDATA; i++) {
		char name[16];

		snprintf(name, sizeof(name), "data%d", i);
		report_page(name, VA_DATA + i * PAGE_SZ, "rw-", "text", n_data + i);
	}
	report_page("ro", VA_RO, "r--", "text", n_ro);
	report_page("none", VA_NONE, "---", "text", n_none);
	report_page("zero", VA_ZERO, "rw-", "zero", 0);
	report_page("untouched", VA_UNTOUCHED, "rw-", "none", 0);
	report_page("high47", VA_HIGH47, "rw-", "text", n_high47);
	if (high56_ok)
		report_page("high56", VA_HIGH56, "rw-", "text", n_high56);
	report_page("huge0", VA_HUGE, "rw-", "text", n_huge);
	report_page("huge511", VA_HUGE + HUGE_SZ - PAGE_SZ, "rw-", "text", n_huge + 511);
	key("pages=%s", page_list);

	/* --- the 2 MiB region -------------------------------------------------------------- */
	uint64_t first = pagemap_entry(VA_HUGE), flags = 0;
	int contiguous = 1, all_present = 1;

	for (unsigned long i = 0; i < HUGE_SZ / PAGE_SZ; i++) {
		uint64_t e = pagemap_entry(VA_HUGE + i * PAGE_SZ);

		if (!(e & PM_PRESENT))
			all_present = 0;
		if ((e & PM_PFN_MASK) != (first & PM_PFN_MASK) + i)
			contiguous = 0;
	}
	long ahp = smaps_anon_huge_kb(VA_HUGE);
	int kpf = (first & PM_PRESENT) ? kpageflags(first & PM_PFN_MASK, &flags) : -1;
	key("regions=huge");
	key("region.huge.va=0x%lx", VA_HUGE);
	key("region.huge.size=0x%lx", HUGE_SZ);
	key("region.huge.prot=rw-");
	key("region.huge.pattern=text");
	key("region.huge.n=%u", n_huge);
	key("region.huge.madvise=%s", madv ? strerror(madv_errno) : "ok");
	key("region.huge.anon_huge_kb=%ld", ahp);
	key("region.huge.all_present=%d", all_present);
	key("region.huge.pfns_contiguous=%d", contiguous);
	key("region.huge.pfn=0x%llx", (unsigned long long)(first & PM_PFN_MASK));
	if (kpf == 0)
		key("region.huge.kpageflags=0x%llx", (unsigned long long)flags);
	int thp = ahp >= 2048 || (kpf == 0 && (flags & (1ULL << KPF_THP)));
	key("region.huge.thp=%d", thp);
	key("probe_version=1");
	key("key_count=%d", nkeys + 1);

	if (write(1, "PTWALK_KEY_END\n", 15) != 15)
		return 3;
	tcdrain(1); /* the key must reach the serial port before the panic */
	usleep(200000);

	if (no_panic) { /* stay alive with every page mapped; the scenario panics */
		int rfd = open("/tmp/ptwalk-probe.ready", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (rfd >= 0)
			close(rfd);
		for (;;)
			pause();
	}

	/* --- panic: this task becomes the panicking task ---------------------------------- */
	int fd = open("/proc/sysrq-trigger", O_WRONLY);
	if (fd < 0) {
		note("cannot open /proc/sysrq-trigger: %s", strerror(errno));
		return 2;
	}
	if (write(fd, "c", 1) != 1)
		note("write to /proc/sysrq-trigger failed: %s", strerror(errno));
	note("still alive after sysrq-trigger c");
	return 2;
}
