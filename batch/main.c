// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptwalk-batch: the ptwalk core without crash, over libkdumpfile, for many
 * vmcores at once.  Each dump is analysed in a child process of its own
 * (a dump that crashes a library cannot take the others down), at most -j
 * at a time; results are printed in the order of the arguments.
 *
 * Exit status: 0 every dump analysed, nothing found; 1 every dump
 * analysed, some with findings; 2 at least one dump could not be opened
 * or analysed (the others still were).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "report.h"

#define MAX_WALKS 4096

static const char usage_text[] =
"usage: ptwalk-batch [options] VMCORE...\n"
"\n"
"Analyse each vmcore with the ptwalk core (no crash needed): dump identity,\n"
"paging format, ptdump summary, page-table integrity (ptdump -C), ZONE_DEVICE\n"
"pgmaps, panic triage from the kernel log.  One JSON object per vmcore, one\n"
"per line, in argument order.\n"
"\n"
"  --vmlinux FILE        symbols and types (DWARF) from this vmlinux; a vmlinux\n"
"                        of another kernel is refused (build-id, linux_banner)\n"
"  --debuginfo-dir DIR   find each dump's vmlinux under DIR (.build-id/xx/yyy.debug,\n"
"                        vmlinux-RELEASE, usr/lib/debug/boot/vmlinux-RELEASE, ...)\n"
"                        Without either: symbols from VMCOREINFO and the dump's\n"
"                        kallsyms, types from the BTF inside the dump.\n"
"  --no-btf              do not use the dump's BTF (types from VMCOREINFO only)\n"
"  --no-convert          refuse flattened makedumpfile files and QEMU s390x ELF\n"
"                        instead of converting them in an unlinked temp file\n"
"  --ptdump              add the full kernel-format ptdump text (\"ptdump_text\")\n"
"  --ranges              add every ptdump -j record (\"ptdump\".\"records\")\n"
"  -p, --phys            like ptdump -p: split where physical addresses stop being\n"
"                        contiguous and give pa_start\n"
"  --walk [TASK:]ADDR[,..]  walk kernel addresses or symbols, or with TASK: (a pid\n"
"                        or 0x task_struct address, any thread) a user address in\n"
"                        that task's mm, like ptwalk -c (ptwalk -j records);\n"
"                        repeatable\n"
"  -o DIR                write DIR/NAME.json per vmcore instead of stdout (NAME is\n"
"                        the vmcore's absolute path with '/' as '_'), atomically;\n"
"                        with --ptdump also DIR/NAME.ptdump.txt\n"
"  --skip-existing       with -o: leave vmcores whose DIR/NAME.json exists\n"
"  -j N                  analyse N vmcores at a time (worker processes)\n"
"  --timings             seconds per phase in the JSON\n"
"  -q                    no progress on stderr (shown only when it is a terminal)\n"
"  -h, --help            this text\n"
"\n"
"Exit status: 0 all analysed, no findings; 1 all analysed, findings (integrity\n"
"anomalies, W+X pages, a triage verdict that explains the panic); 2 at least one\n"
"vmcore could not be opened or analysed (each has one line on stderr and an\n"
"\"error\" in its JSON; the others are still analysed).\n";

struct job {
	const char *path;
	pid_t pid;
	FILE *result;      /* the child's JSON (stdout mode) */
	int done;
	int status;
	double t0;
};

static struct batch_opts opts;
static const char *out_dir;
static int skip_existing, progress;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* DIR/NAME.suffix for a vmcore: its absolute path, '/' turned into '_'. */
static void out_name(const char *path, const char *suffix, char *buf, size_t len)
{
	char real[PATH_MAX], *p;

	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	for (p = real; *p; p++)
		if (*p == '/')
			*p = '_';
	p = real;
	while (*p == '_')
		p++;
	snprintf(buf, len, "%s/%s%s", out_dir, p, suffix);
}

static int write_file(const char *final, const char *data, size_t len)
{
	char tmp[PATH_MAX + 32];
	FILE *f;
	int ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", final, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	ok = fwrite(data, 1, len, f) == len;
	ok &= fclose(f) == 0;
	if (!ok || rename(tmp, final)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The child: analyse, write the JSON where it belongs, exit with the status. */
static int child(const char *path, FILE *result)
{
	const char *error;
	char *text = NULL, *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int st;

	if (!out_dir) {
		st = batch_analyze(path, &opts, result, &error, NULL);
	} else {
		char name[PATH_MAX + 64];

		mem = open_memstream(&buf, &len);
		st = batch_analyze(path, &opts, mem, &error, &text);
		fclose(mem);
		out_name(path, ".json", name, sizeof(name));
		if (write_file(name, buf, len)) {
			fprintf(stderr, "ptwalk-batch: %s: cannot write %s: %s\n", path, name,
				strerror(errno));
			st = BATCH_FAILED;
			error = NULL;
		}
		if (text) {
			out_name(path, ".ptdump.txt", name, sizeof(name));
			if (write_file(name, text, strlen(text)))
				fprintf(stderr, "ptwalk-batch: %s: cannot write %s: %s\n", path, name,
					strerror(errno));
		}
	}
	if (error)
		fprintf(stderr, "ptwalk-batch: %s: %s\n", path, error);
	free(buf);
	free(text);
	return st;
}

static void crashed_record(struct job *jb, int sig)
{
	FILE *f = out_dir ? NULL : jb->result;
	char name[PATH_MAX + 64], *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	fputs("{\"file\":", mem);
	json_str(mem, jb->path);
	fprintf(mem, ",\"status\":\"error\",\"error\":\"the analysis crashed (signal %d)\",\"exit\":2}\n",
		sig);
	fclose(mem);
	fprintf(stderr, "ptwalk-batch: %s: the analysis crashed (signal %d)\n", jb->path, sig);
	if (f) {
		if (ftruncate(fileno(f), 0) == 0) {
			rewind(f);
			fwrite(buf, 1, len, f);
		}
	} else {
		out_name(jb->path, ".json", name, sizeof(name));
		write_file(name, buf, len);
	}
	free(buf);
}

static void reap(struct job *jobs, int njobs, int *running, int done_total, int *shown)
{
	int wst;
	pid_t pid = wait(&wst);

	if (pid < 0)
		return;
	for (int i = 0; i < njobs; i++) {
		struct job *jb = &jobs[i];

		if (jb->pid != pid || jb->done)
			continue;
		jb->done = 1;
		(*running)--;
		if (WIFEXITED(wst) && WEXITSTATUS(wst) <= BATCH_FAILED) {
			jb->status = WEXITSTATUS(wst);
		} else {
			jb->status = BATCH_FAILED;
			crashed_record(jb, WIFSIGNALED(wst) ? WTERMSIG(wst) : 0);
		}
		(*shown)++;
		if (progress)
			fprintf(stderr, "[%d/%d] %s: %s (%.1fs)\n", *shown, done_total, jb->path,
				jb->status == BATCH_OK ? "ok" : jb->status == BATCH_FINDINGS ? "findings"
											    : "error",
				now() - jb->t0);
	}
}

/* Print finished results in argument order. */
static void flush_in_order(struct job *jobs, int njobs, int *next)
{
	char buf[65536];
	size_t n;

	while (*next < njobs && jobs[*next].done) {
		FILE *f = jobs[*next].result;

		if (f) {
			rewind(f);
			while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
				fwrite(buf, 1, n, stdout);
			fclose(f);
			jobs[*next].result = NULL;
		}
		fflush(stdout);
		(*next)++;
	}
}

/* Split "a,b,c" in place (argv strings are ours to modify). */
static void add_walks(char *arg, const char **walks)
{
	char *save = NULL, *w;

	for (w = strtok_r(arg, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (opts.nwalks >= MAX_WALKS) {
			fprintf(stderr, "ptwalk-batch: at most %d --walk addresses\n", MAX_WALKS);
			exit(BATCH_FAILED);
		}
		walks[opts.nwalks++] = w;
	}
}

int main(int argc, char **argv)
{
	enum { O_VMLINUX = 256, O_DEBUGINFO, O_NO_BTF, O_NO_CONVERT, O_PTDUMP, O_RANGES,
	       O_WALK, O_SKIP, O_TIMINGS };
	static const struct option longopts[] = {
		{ "vmlinux", required_argument, NULL, O_VMLINUX },
		{ "debuginfo-dir", required_argument, NULL, O_DEBUGINFO },
		{ "no-btf", no_argument, NULL, O_NO_BTF },
		{ "no-convert", no_argument, NULL, O_NO_CONVERT },
		{ "ptdump", no_argument, NULL, O_PTDUMP },
		{ "ranges", no_argument, NULL, O_RANGES },
		{ "phys", no_argument, NULL, 'p' },
		{ "walk", required_argument, NULL, O_WALK },
		{ "skip-existing", no_argument, NULL, O_SKIP },
		{ "timings", no_argument, NULL, O_TIMINGS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *walks[MAX_WALKS];
	struct job *jobs;
	int c, nworkers = 1, quiet = 0, running = 0, next_out = 0, shown = 0, worst = BATCH_OK;
	int njobs, any_findings = 0;

	opts.allow_convert = 1;
	opts.walks = walks;
	while ((c = getopt_long(argc, argv, "o:j:pqh", longopts, NULL)) != -1) {
		switch (c) {
		case O_VMLINUX: opts.vmlinux = optarg; break;
		case O_DEBUGINFO: opts.debuginfo_dir = optarg; break;
		case O_NO_BTF: opts.no_btf = 1; break;
		case O_NO_CONVERT: opts.allow_convert = 0; break;
		case O_PTDUMP: opts.ptdump_text = 1; break;
		case O_RANGES: opts.ranges = 1; break;
		case 'p': opts.phys = 1; break;
		case O_WALK: add_walks(optarg, walks); break;
		case O_SKIP: skip_existing = 1; break;
		case O_TIMINGS: opts.timings = 1; break;
		case 'o': out_dir = optarg; break;
		case 'j':
			nworkers = atoi(optarg);
			if (nworkers < 1 || nworkers > 1024) {
				fprintf(stderr, "ptwalk-batch: -j wants a number from 1 to 1024\n");
				return BATCH_FAILED;
			}
			break;
		case 'q': quiet = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return BATCH_FAILED;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return BATCH_FAILED;
	}
	if (opts.vmlinux && opts.debuginfo_dir) {
		fprintf(stderr, "ptwalk-batch: --vmlinux and --debuginfo-dir exclude each other\n");
		return BATCH_FAILED;
	}
	if (skip_existing && !out_dir) {
		fprintf(stderr, "ptwalk-batch: --skip-existing needs -o DIR\n");
		return BATCH_FAILED;
	}
	if (out_dir) {
		struct stat st;

		if (mkdir(out_dir, 0777) && errno != EEXIST) {
			fprintf(stderr, "ptwalk-batch: cannot create %s: %s\n", out_dir, strerror(errno));
			return BATCH_FAILED;
		}
		if (stat(out_dir, &st) || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "ptwalk-batch: %s is not a directory\n", out_dir);
			return BATCH_FAILED;
		}
	}
	progress = !quiet && isatty(STDERR_FILENO);
	signal(SIGPIPE, SIG_DFL);
	njobs = argc - optind;
	jobs = calloc((size_t)njobs, sizeof(*jobs));
	if (!jobs)
		return BATCH_FAILED;
	for (int i = 0; i < njobs; i++) {
		struct job *jb = &jobs[i];

		jb->path = argv[optind + i];
		if (skip_existing) {
			char name[PATH_MAX + 64];
			struct stat st;

			out_name(jb->path, ".json", name, sizeof(name));
			if (stat(name, &st) == 0) {
				FILE *f = fopen(name, "r");
				char *all = NULL, *e, *last = NULL;
				size_t cap = 0;

				/* Keep its verdict for the exit status: the last "exit". */
				if (f && getdelim(&all, &cap, '\0', f) > 0)
					for (e = all; (e = strstr(e, "\"exit\":")); e++)
						last = e;
				jb->status = last ? atoi(last + 7) : BATCH_FAILED;
				free(all);
				if (f)
					fclose(f);
				jb->done = 1;
				shown++;
				continue;
			}
		}
		while (running >= nworkers) {
			reap(jobs, njobs, &running, njobs, &shown);
			flush_in_order(jobs, njobs, &next_out);
		}
		if (!out_dir) {
			jb->result = tmpfile();
			if (!jb->result) {
				fprintf(stderr, "ptwalk-batch: cannot create a temp file: %s\n",
					strerror(errno));
				free(jobs);
				return BATCH_FAILED;
			}
		}
		fflush(stdout);
		fflush(stderr);
		jb->t0 = now();
		jb->pid = fork();
		if (jb->pid < 0) {
			fprintf(stderr, "ptwalk-batch: fork: %s\n", strerror(errno));
			free(jobs);
			return BATCH_FAILED;
		}
		if (jb->pid == 0) {
			int st = child(jb->path, jb->result);

			if (jb->result)
				fflush(jb->result);
			_exit(st);
		}
		running++;
		flush_in_order(jobs, njobs, &next_out);
	}
	while (running > 0) {
		reap(jobs, njobs, &running, njobs, &shown);
		flush_in_order(jobs, njobs, &next_out);
	}
	flush_in_order(jobs, njobs, &next_out);
	for (int i = 0; i < njobs; i++) {
		if (jobs[i].status == BATCH_FAILED)
			worst = BATCH_FAILED;
		any_findings |= jobs[i].status == BATCH_FINDINGS;
	}
	free(jobs);
	if (worst == BATCH_FAILED)
		return BATCH_FAILED;
	return any_findings ? BATCH_FINDINGS : BATCH_OK;
}
