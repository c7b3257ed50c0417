/* A plain main() for a libFuzzer target, so `make check` runs every seed of
 * its corpus under the normal compiler (and under --enable-sanitizers).
 *
 *   fuzz_NAME [FILE|DIR]...
 *
 * With no arguments it replays $AGATE_SRCDIR/tests/fuzz/corpus/NAME (NAME is
 * the program name without "fuzz_"), else corpus/NAME next to the program.
 * Each input is read into a buffer of exactly its size, so an overread is
 * an ASan report rather than luck. A corpus with no seeds is a failure: a
 * target registered without its seeds must not pass silently. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Reads the whole file; *data is malloc'ed (the caller frees), exactly *size
 * bytes (at least one, so an empty file is not a NULL pointer). */
static int
read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (f == NULL)
		return -1;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			uint8_t *p = realloc(buf, cap);
			if (p == NULL) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		free(buf);
		return -1;
	}
	/* Exactly sized, so ASan sees a read one past the end. */
	uint8_t *exact = malloc(len ? len : 1);
	if (exact == NULL) {
		free(buf);
		return -1;
	}
	if (len > 0)
		memcpy(exact, buf, len);
	free(buf);
	*data = exact;
	*size = len;
	return 0;
}

static int
run_file(const char *path)
{
	uint8_t *data;
	size_t size;

	if (read_file(path, &data, &size) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file in dir (sorted, dot files skipped); returns the
 * count, or -1. */
static long
run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	long done = 0;

	if (d == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **p = realloc(names, cap * sizeof *names);
			if (p == NULL)
				abort();
			names = p;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		names[n] = malloc(len);
		if (names[n] == NULL)
			abort();
		snprintf(names[n], len, "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, compare_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(names[i]) != 0)
				done = -1;
			else if (done >= 0)
				done++;
		}
		free(names[i]);
	}
	free(names);
	return done;
}

static long
run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return run_dir(path);
	return run_file(path) == 0 ? 1 : -1;
}

/* corpus/NAME for a program called [lt-]fuzz_NAME. */
static char *
default_corpus(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	const char *base = slash != NULL ? slash + 1 : argv0;
	const char *srcdir = getenv("AGATE_SRCDIR");
	char *path;
	size_t len;

	if (strncmp(base, "lt-", 3) == 0)
		base += 3;
	if (strncmp(base, "fuzz_", 5) == 0)
		base += 5;
	if (srcdir != NULL && srcdir[0] != '\0') {
		len = strlen(srcdir) + strlen(base) + sizeof "/tests/fuzz/corpus/";
		path = malloc(len);
		if (path != NULL)
			snprintf(path, len, "%s/tests/fuzz/corpus/%s", srcdir, base);
	} else {
		int dirlen = slash != NULL ? (int)(slash - argv0) : 1;
		const char *dir = slash != NULL ? argv0 : ".";
		len = (size_t)dirlen + strlen(base) + sizeof "/corpus/";
		path = malloc(len);
		if (path != NULL)
			snprintf(path, len, "%.*s/corpus/%s", dirlen, dir, base);
	}
	if (path == NULL)
		abort();
	return path;
}

int
main(int argc, char **argv)
{
	long total = 0;
	int failed = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2) {
		char *corpus = default_corpus(argv[0]);
		long n = run_path(corpus);
		if (n == 0)
			fprintf(stderr, "replay: %s: no seeds\n", corpus);
		else if (n > 0)
			printf("replayed %ld inputs from %s\n", n, corpus);
		free(corpus);
		return n > 0 ? 0 : 1;
	}
	for (int i = 1; i < argc; i++) {
		long n = run_path(argv[i]);
		if (n < 0)
			failed = 1;
		else
			total += n;
	}
	printf("replayed %ld inputs\n", total);
	return failed || total == 0 ? 1 : 0;
}
