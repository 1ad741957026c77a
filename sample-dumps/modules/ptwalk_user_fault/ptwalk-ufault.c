// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptwalk-ufault: the user side of the x86_64-user-fault scenario (a static program
 * the scenario's scenario_prepare builds with the host gcc; this file is not part of
 * the module, Kbuild builds only ptwalk_user_fault.o).
 *
 * Maps 4 anonymous read-write pages where the kernel chooses (0x7f...), writes a text
 * line at the start of pages 0, 1 and 3, unmaps page 2 (its PTE becomes none, its
 * neighbours stay mapped in the same PTE table), prints its own keys, then writes
 * "FAULT_VA NEIGHBOUR_VA" to /proc/ptwalk_user_fault: FAULT_VA = page 2 + 0x10,
 * NEIGHBOUR_VA = page 1.  The write comes from a second thread, so the task that
 * oopses there (oops=panic), the panicking task, is a thread that leads no group:
 * its pid (ufault.user.tid) is on no init_task.tasks list, only on its group's.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096UL
#define FAULT_OFFSET 0x10UL

static unsigned long base;

/* The second thread: asks the module to read FAULT_VA, and dies there. */
static void *fault_thread(void *arg)
{
	char line[128];
	int fd, n;

	(void)arg;
	printf("PTWALK_KEY ufault.user.tid=%d\n", (int)gettid());
	fflush(stdout);
	fd = open("/proc/ptwalk_user_fault", O_WRONLY);
	if (fd < 0) {
		perror("ptwalk-ufault: /proc/ptwalk_user_fault");
		return NULL;
	}
	n = snprintf(line, sizeof(line), "%lx %lx\n", base + 2 * PAGE + FAULT_OFFSET, base + PAGE);
	if (write(fd, line, (size_t)n) != n)
		perror("ptwalk-ufault: write");
	printf("ptwalk-ufault: the kernel read 0x%lx and returned\n", base + 2 * PAGE + FAULT_OFFSET);
	return NULL;
}

int main(void)
{
	pthread_t thread;
	unsigned char *p;
	int i;

	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("ptwalk-ufault: mmap");
		return 1;
	}
	base = (unsigned long)p;
	for (i = 0; i < 4; i++) {
		if (i == 2)
			continue;
		snprintf((char *)p + i * PAGE, PAGE, "PTWALK ufault page %d va=0x%lx\n", i,
			 base + i * PAGE);
	}
	if (munmap(p + 2 * PAGE, PAGE)) {
		perror("ptwalk-ufault: munmap");
		return 1;
	}
	printf("PTWALK_KEY ufault.user.pid=%d\n", (int)getpid());
	printf("PTWALK_KEY ufault.user.region=0x%lx-0x%lx\n", base, base + 4 * PAGE);
	printf("PTWALK_KEY ufault.user.unmapped=0x%lx\n", base + 2 * PAGE);
	printf("PTWALK_KEY ufault.user.fault_va=0x%lx\n", base + 2 * PAGE + FAULT_OFFSET);
	printf("PTWALK_KEY ufault.user.neighbour_va=0x%lx\n", base + PAGE);
	printf("PTWALK_KEY ufault.user.neighbour_header=PTWALK ufault page 1 va=0x%lx\n", base + PAGE);
	printf("PTWALK_KEY ufault.user.above_va=0x%lx\n", base + 3 * PAGE);
	fflush(stdout);

	if (pthread_create(&thread, NULL, fault_thread, NULL)) {
		perror("ptwalk-ufault: pthread_create");
		return 1;
	}
	pthread_join(thread, NULL);
	return 1;
}
