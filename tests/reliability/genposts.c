/*
 * genposts: a fast, deterministic generator of small Twitter v1.1 posts for
 * the reliability tests.  The same seed always gives the same bytes.
 *
 *   genposts [--seed S] [--posts N] [--inputs K] [--bad PERMILLE] [--overlap PERMILLE] DIR
 *
 * Writes DIR/in-001.jsonl ... DIR/in-K.jsonl (the posts spread evenly) and,
 * for each, DIR/in-NNN.ids: the native ids of the valid posts it holds, one
 * a line, sorted.  --bad mixes malformed lines in (never counted as ids);
 * --overlap repeats posts of the previous input (same bytes, same id).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64: fast, and good enough to pick words. */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static const char *words[] = {
	"march", "protest", "city", "police", "statement", "video", "clip", "fans", "flood", "tag",
	"justice", "tonight", "downtown", "crowd", "peaceful", "curfew", "report", "live", "update", "news",
	"community", "support", "voices", "listen", "share", "thread", "photo", "street", "square", "rally",
};
static const char *tags[] = { "BlackLivesMatter", "BlackoutTuesday", "WhiteOutWednesday", "iWatchDallas",
			      "JusticeForGeorgeFloyd", "BLM", "fancam", "June2020" };
static const char *langs[] = { "en", "en", "en", "es", "fr", "de", "ko", "ja" };
static const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

#define NW (sizeof(words) / sizeof(words[0]))
#define NT (sizeof(tags) / sizeof(tags[0]))
#define NL (sizeof(langs) / sizeof(langs[0]))

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* One post as a JSON line (at most ~400 bytes). */
static void post(FILE *f, uint64_t id, uint64_t seq)
{
	uint64_t user = 1000 + rnd() % 5000;
	int day = 1 + (int)(seq % 7);
	int hh = (int)(rnd() % 24), mm = (int)(rnd() % 60), ss = (int)(rnd() % 60);
	const char *tag = tags[rnd() % NT];
	fprintf(f, "{\"created_at\":\"%s Jun %02d %02d:%02d:%02d +0000 2020\",\"id\":%" PRIu64 ",\"id_str\":\"%" PRIu64
		   "\",\"text\":\"",
		days[(day - 1) % 7], day, hh, mm, ss, id, id);
	int n = 4 + (int)(rnd() % 8);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", words[rnd() % NW]);
	fprintf(f, " #%s n%" PRIu64 "\",\"user\":{\"id_str\":\"%" PRIu64 "\",\"screen_name\":\"user%" PRIu64
		   "\",\"name\":\"User %" PRIu64 "\"},\"entities\":{\"hashtags\":[{\"text\":\"%s\"}],\"user_mentions\":[],"
		   "\"urls\":[]},\"lang\":\"%s\",\"retweet_count\":%u}\n",
		tag, seq, user, user, user, tag, langs[rnd() % NL], (unsigned)(rnd() % 100));
}

static void bad_line(FILE *f, uint64_t seq)
{
	switch (rnd() % 4) {
	case 0: fprintf(f, "{\"id_str\":\"broken %" PRIu64 "\",\"created_at\":\n", seq); break;
	case 1: fprintf(f, "{\"id_str\":\"%" PRIu64 "\",\"text\":\"no user, no time\"}\n", seq); break;
	case 2: fprintf(f, "{\"created_at\":\"Wed Jun 03 12:00:00 +0000 2020\",\"id_str\":\"x\",\"user\":{},\"text\":\"bad id\"}\n"); break;
	default: fprintf(f, "not json at all %" PRIu64 "\n", seq); break;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: genposts [--seed S] [--posts N] [--inputs K] [--bad PERMILLE] [--overlap PERMILLE] DIR\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, nposts = 1000, ninputs = 4, bad = 0, overlap = 0;
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		uint64_t *opt = NULL;
		if (strcmp(argv[i], "--seed") == 0)
			opt = &seed;
		else if (strcmp(argv[i], "--posts") == 0)
			opt = &nposts;
		else if (strcmp(argv[i], "--inputs") == 0)
			opt = &ninputs;
		else if (strcmp(argv[i], "--bad") == 0)
			opt = &bad;
		else if (strcmp(argv[i], "--overlap") == 0)
			opt = &overlap;
		else if (argv[i][0] == '-')
			return usage();
		else
			dir = argv[i];
		if (opt) {
			if (++i >= argc)
				return usage();
			*opt = strtoull(argv[i], NULL, 10);
		}
	}
	if (!dir || ninputs == 0 || ninputs > 9999)
		return usage();
	rng_state = seed * 0x2545F4914F6CDD1DULL + 1;
	/* Ids: distinct per seed, spread like real snowflake ids. */
	uint64_t base = 1267000000000000000ULL + (seed % 1000) * 1000000000ULL;
	uint64_t *ids = malloc((nposts + 1) * sizeof(*ids));
	uint64_t *prev = NULL;
	size_t nprev = 0;
	char path[4096];
	uint64_t seq = 0;
	if (!ids)
		return 1;
	for (uint64_t k = 0; k < ninputs; k++) {
		uint64_t first = nposts * k / ninputs, last = nposts * (k + 1) / ninputs;
		snprintf(path, sizeof(path), "%s/in-%03" PRIu64 ".jsonl", dir, k + 1);
		FILE *f = fopen(path, "w");
		if (!f) {
			fprintf(stderr, "genposts: cannot write '%s': %s\n", path, strerror(errno));
			return 1;
		}
		size_t n = 0;
		for (uint64_t i = first; i < last; i++) {
			uint64_t id = base + i * 7919 + (rnd() % 7000);
			if (bad && rnd() % 1000 < bad)
				bad_line(f, seq);
			/* The post's bytes depend on its index alone, so that a
			 * repeat in the next input is the very same record. */
			uint64_t saved = rng_state;
			rng_state = seed * 0x9E3779B97F4A7C15ULL + i;
			post(f, id, i);
			rng_state = saved;
			ids[n++] = id;
			seq++;
		}
		/* Overlap: posts of the previous input again, same bytes. */
		for (size_t j = 0; prev && j < nprev; j++) {
			if (rnd() % 1000 >= overlap)
				continue;
			uint64_t i = nposts * (k - 1) / ninputs + j;
			uint64_t saved = rng_state;
			rng_state = seed * 0x9E3779B97F4A7C15ULL + i;
			post(f, prev[j], i);
			rng_state = saved;
		}
		fclose(f);
		free(prev);
		prev = malloc((n + 1) * sizeof(*prev));
		memcpy(prev, ids, n * sizeof(*ids));
		nprev = n;
		qsort(ids, n, sizeof(*ids), cmp_u64);
		snprintf(path, sizeof(path), "%s/in-%03" PRIu64 ".ids", dir, k + 1);
		f = fopen(path, "w");
		if (!f)
			return 1;
		for (size_t j = 0; j < n; j++)
			fprintf(f, "%" PRIu64 "\n", ids[j]);
		fclose(f);
	}
	free(prev);
	free(ids);
	return 0;
}
