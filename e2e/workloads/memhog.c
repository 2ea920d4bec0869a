/*
 * memhog: deterministic memory consumer for the Headroom e2e harness.
 *
 *   memhog --hold MIB               allocate and touch MIB MiB, then sleep forever
 *   memhog --leak MIB_PER_S [--max MIB] [--start MIB]
 *                                   start with --start MiB (default 0), then grow
 *                                   by MIB_PER_S MiB per second (in 10 steps per
 *                                   second), touching every page; stop growing at
 *                                   --max MiB (default: never) and sleep forever
 *   --file PATH                     write the memory into PATH (on a tmpfs it stays
 *                                   after the process exits: shmem, not anon)
 *   --exit-after SEC                exit 0 after SEC seconds (a build that finishes)
 *   --leave MIB                     leak mode: start with whatever leaves MIB MiB of
 *                                   MemAvailable (a service that starts large)
 *
 * Pages are written with non-zero data so they count as anonymous memory and
 * cannot be served by the zero page. Progress goes to stdout (line buffered).
 * Build: gcc -static -O2 -o memhog memhog.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)

static long page_size;
static int file_fd = -1;

static void sleep_forever(void)
{
	for (;;)
		pause();
}

static void exit_now(int sig)
{
	(void)sig;
	_exit(0);
}

/* MemAvailable in MiB, or -1 */
static double mem_available_mib(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	double kib = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "MemAvailable: %lf kB", &kib) == 1)
			break;
	fclose(f);
	return kib < 0 ? -1 : kib / 1024.0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: memhog --hold MIB\n"
		"       memhog --leak MIB_PER_S [--max MIB] [--start MIB | --leave MIB]\n"
		"       options: --file PATH  --exit-after SEC\n");
	exit(2);
}

static double parse_num(const char *s, const char *what)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || v < 0) {
		fprintf(stderr, "memhog: invalid %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

/* Allocate and touch `bytes` bytes; returns 0 on success. */
static int grab(size_t bytes, unsigned long *seq)
{
	if (bytes == 0)
		return 0;
	if (file_fd >= 0) {
		static unsigned char page[65536];
		memset(page, 0x5a, sizeof page);
		for (size_t off = 0; off < bytes; off += sizeof page) {
			*(unsigned long *)page = ++*seq;
			size_t n = bytes - off < sizeof page ? bytes - off : sizeof page;
			if (write(file_fd, page, n) != (ssize_t)n) {
				fprintf(stderr, "memhog: write: %s, holding\n", strerror(errno));
				sleep_forever();
			}
		}
		return 0;
	}
	unsigned char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "memhog: mmap %zu bytes: %s\n", bytes, strerror(errno));
		return -1;
	}
	for (size_t off = 0; off < bytes; off += (size_t)page_size) {
		/* a page-sized non-zero pattern that differs per page */
		memset(p + off, 0x5a, (size_t)page_size);
		*(unsigned long *)(p + off) = ++*seq;
	}
	return 0;
}


static void sleep_until(struct timespec *t)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	double hold = -1, leak = -1, max = -1, start = 0, leave = -1, exit_after = -1;
	const char *file = NULL;
	unsigned long seq = 0;

	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--hold"))
			hold = parse_num(argv[++i], "--hold");
		else if (!strcmp(argv[i], "--leak"))
			leak = parse_num(argv[++i], "--leak");
		else if (!strcmp(argv[i], "--max"))
			max = parse_num(argv[++i], "--max");
		else if (!strcmp(argv[i], "--start"))
			start = parse_num(argv[++i], "--start");
		else if (!strcmp(argv[i], "--leave"))
			leave = parse_num(argv[++i], "--leave");
		else if (!strcmp(argv[i], "--exit-after"))
			exit_after = parse_num(argv[++i], "--exit-after");
		else if (!strcmp(argv[i], "--file"))
			file = argv[++i];
		else
			usage();
	}
	if ((hold >= 0) == (leak >= 0))
		usage();
	if (exit_after > 0) {
		signal(SIGALRM, exit_now);
		alarm((unsigned)exit_after);
	}
	if (file) {
		/* appended, never truncated: like a cache in /dev/shm, it outlives a restart */
		file_fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (file_fd < 0) {
			fprintf(stderr, "memhog: open %s: %s\n", file, strerror(errno));
			return 1;
		}
	}
	if (leave >= 0) {
		double available = mem_available_mib();
		if (available < 0) {
			fprintf(stderr, "memhog: no MemAvailable in /proc/meminfo\n");
			return 1;
		}
		start = available > leave ? available - leave : 0;
	}

	if (hold >= 0) {
		if (grab((size_t)(hold * MIB), &seq))
			return 1;
		printf("memhog: holding %.0f MiB (pid %d)\n", hold, (int)getpid());
		sleep_forever();
	}

	/* leak mode: 10 steps per second */
	double total = 0;
	if (start > 0) {
		if (grab((size_t)(start * MIB), &seq))
			return 1;
		total = start;
		printf("memhog: started with %.0f MiB (pid %d)\n", total, (int)getpid());
	}
	double step = leak / 10.0, carry = 0;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	unsigned long ticks = 0;
	for (;;) {
		if (max >= 0 && total >= max) {
			printf("memhog: reached --max %.0f MiB, holding\n", max);
			sleep_forever();
		}
		double want = step + carry;
		if (max >= 0 && total + want > max)
			want = max - total;
		size_t bytes = (size_t)(want * MIB) & ~((size_t)page_size - 1);
		carry = want - (double)bytes / MIB;
		if (grab(bytes, &seq))
			return 1;
		total += (double)bytes / MIB;
		if (++ticks % 10 == 0)
			printf("memhog: %.0f MiB\n", total);
		next.tv_nsec += 100000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		sleep_until(&next);
	}
}
