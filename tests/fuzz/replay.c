/* Runs a fuzz target's function on files (or every file of directories),
 * without libFuzzer: make test replays the regression inputs this way. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open '%s'\n", path);
		return 1;
	}
	qr_buf data = QR_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		qr_buf_add(&data, chunk, n);
	fclose(f);
	/* A copy of exactly the input's size, so that ASan sees overreads. */
	uint8_t *copy = qr_malloc(data.len ? data.len : 1);
	memcpy(copy, data.buf, data.len);
	LLVMFuzzerTestOneInput(copy, data.len);
	free(copy);
	qr_buf_release(&data);
	return 0;
}

int main(int argc, char **argv)
{
	int count = 0, bad = 0;
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb) < 0) {
			fprintf(stderr, "replay: no '%s'\n", argv[i]);
			bad++;
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			bad += run_file(argv[i]);
			count++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		char **names = NULL;
		size_t nn = 0, alloc = 0;
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			names = qr_grow_array(names, sizeof(*names), nn + 1, &alloc);
			names[nn++] = qr_strdup(e->d_name);
		}
		if (d)
			closedir(d);
		if (nn)
			qsort(names, nn, sizeof(*names), cmp);
		for (size_t k = 0; k < nn; k++) {
			qr_buf path = QR_BUF_INIT;
			qr_buf_setf(&path, "%s/%s", argv[i], names[k]);
			bad += run_file(path.buf);
			count++;
			qr_buf_release(&path);
			free(names[k]);
		}
		free(names);
	}
	printf("replayed %d inputs\n", count);
	return bad ? 1 : 0;
}
