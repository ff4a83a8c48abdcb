#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include "cli.h"
#include "status.h"

/* Jobs waiting at most in a lane, for each worker that may take them:
 * past it a request is told the server is busy rather than queued behind
 * minutes of work. */
#define QUEUED_PER_WORKER 8

enum { QUEUED, RUNNING, DONE };

typedef struct job {
	struct job *next;
	int lane;
	sv_job_fn fn;
	void *ctx;
	void (*free_ctx)(void *);
	int state;
	bool abandoned;
	bool unavailable;
	int rc;
	pthread_cond_t done;
} job;

typedef struct worker {
	sv_pool *pool;
	int lane;
	pthread_t thread;
	qr_corpus *c;
	ino_t index_ino;
	dev_t index_dev;
	bool stale;
	bool started;
} worker;

struct sv_pool {
	char *dir;
	pthread_mutex_t lock;
	pthread_cond_t work;
	job *head[2], *tail[2];
	unsigned queued, lane_queued[2];
	unsigned nlane[2];
	bool quit;
	worker *w;
	unsigned nw;
};

static void index_id(const char *dir, ino_t *ino, dev_t *dev)
{
	qr_buf path = QR_BUF_INIT;
	struct stat st;
	qr_buf_setf(&path, "%s/index", dir);
	if (stat(path.buf, &st) == 0) {
		*ino = st.st_ino;
		*dev = st.st_dev;
	} else {
		*ino = 0;
		*dev = 0;
	}
	qr_buf_release(&path);
}

static int open_handle(worker *w, qr_buf *err)
{
	qr_corpus_close(w->c);
	w->c = NULL;
	index_id(w->pool->dir, &w->index_ino, &w->index_dev);
	int st = qr_corpus_open(w->pool->dir, QR_OPEN_READ, &w->c, err);
	w->stale = st != 0;
	return st;
}

/* The newest revision before a job; a new handle when the index was
 * replaced by another directory or the last job found it unreadable. */
static void refresh(worker *w)
{
	ino_t ino;
	dev_t dev;
	index_id(w->pool->dir, &ino, &dev);
	if (w->c && !w->stale && ino == w->index_ino && dev == w->index_dev && qr_corpus_reopen(w->c) == 0)
		return;
	qr_buf err = QR_BUF_INIT;
	if (open_handle(w, &err))
		qr_error("cannot open the corpus again: %s", err.buf);
	qr_buf_release(&err);
}

static job *take(sv_pool *p, int lane)
{
	job *j = p->head[lane];
	if (!j)
		return NULL;
	p->head[lane] = j->next;
	if (!p->head[lane])
		p->tail[lane] = NULL;
	p->queued--;
	p->lane_queued[lane]--;
	return j;
}

static void job_free(job *j)
{
	pthread_cond_destroy(&j->done);
	free(j);
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	sv_pool *p = w->pool;
	/* Linux sets a thread's nice value on its own; failing that, the
	 * heavy lane still has workers of its own. */
	if (w->lane == SV_HEAVY)
		setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		job *j = NULL;
		while (!p->quit && !(j = take(p, w->lane)))
			pthread_cond_wait(&p->work, &p->lock);
		if (!j)
			break;
		j->state = RUNNING;
		pthread_mutex_unlock(&p->lock);

		refresh(w);
		int rc = QR_EXIT_INTERNAL;
		/* The handle may have been opened by the thread that started
		 * the pool. */
		qr_corpus_read_here(w->c);
		if (w->c) {
			rc = j->fn(w->c, j->ctx);
			if (rc == QR_EXIT_DAMAGED || rc == QR_EXIT_INTERNAL)
				w->stale = true;
		}

		pthread_mutex_lock(&p->lock);
		j->state = DONE;
		j->rc = rc;
		j->unavailable = !w->c;
		if (j->abandoned) {
			if (j->free_ctx)
				j->free_ctx(j->ctx);
			job_free(j);
		} else {
			pthread_cond_signal(&j->done);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int sv_pool_start(const char *dir, unsigned light, unsigned heavy, sv_pool **out, qr_buf *err)
{
	sv_pool *p = qr_calloc(1, sizeof(*p));
	p->dir = qr_strdup(dir);
	p->nlane[SV_LIGHT] = light ? light : 1;
	p->nlane[SV_HEAVY] = heavy ? heavy : 1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	p->nw = p->nlane[SV_LIGHT] + p->nlane[SV_HEAVY];
	p->w = qr_calloc(p->nw, sizeof(*p->w));
	int st = 0;
	for (unsigned i = 0; i < p->nw && !st; i++) {
		p->w[i].pool = p;
		p->w[i].lane = i < p->nlane[SV_LIGHT] ? SV_LIGHT : SV_HEAVY;
		st = open_handle(&p->w[i], err);
	}
	for (unsigned i = 0; i < p->nw && !st; i++) {
		if (pthread_create(&p->w[i].thread, NULL, worker_main, &p->w[i])) {
			qr_buf_setf(err, "cannot start a worker thread: %s", strerror(errno));
			st = QR_INTERNAL;
		} else {
			p->w[i].started = true;
		}
	}
	if (st) {
		sv_pool_stop(p);
		return st;
	}
	*out = p;
	return 0;
}

static void unqueue(sv_pool *p, job *j)
{
	job **at = &p->head[j->lane], *prev = NULL;
	while (*at && *at != j) {
		prev = *at;
		at = &(*at)->next;
	}
	if (!*at)
		return;
	*at = j->next;
	if (p->tail[j->lane] == j)
		p->tail[j->lane] = prev;
	p->queued--;
	p->lane_queued[j->lane]--;
}

static void add_seconds(struct timespec *t, double seconds)
{
	long long ns = (long long)(seconds * 1e9) + t->tv_nsec;
	t->tv_sec += (time_t)(ns / 1000000000LL);
	t->tv_nsec = (long)(ns % 1000000000LL);
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

int sv_pool_run(sv_pool *p, int lane, sv_job_fn fn, void *ctx, void (*free_ctx)(void *), double seconds,
		bool (*gone)(void *), void *arg, int *rc)
{
	struct timespec until, slice;
	clock_gettime(CLOCK_REALTIME, &until);
	slice = until;
	add_seconds(&until, seconds);
	unsigned room = QUEUED_PER_WORKER * p->nlane[lane];

	job *j = qr_calloc(1, sizeof(*j));
	j->lane = lane;
	j->fn = fn;
	j->ctx = ctx;
	j->free_ctx = free_ctx;
	pthread_cond_init(&j->done, NULL);

	pthread_mutex_lock(&p->lock);
	if (p->lane_queued[lane] >= room || p->quit) {
		pthread_mutex_unlock(&p->lock);
		job_free(j);
		return SV_BUSY;
	}
	if (p->tail[lane])
		p->tail[lane]->next = j;
	else
		p->head[lane] = j;
	p->tail[lane] = j;
	p->queued++;
	p->lane_queued[lane]++;
	pthread_cond_broadcast(&p->work);
	while (j->state != DONE) {
		add_seconds(&slice, 0.1);
		if (!before(&slice, &until))
			slice = until;
		bool late = pthread_cond_timedwait(&j->done, &p->lock, &slice) == ETIMEDOUT && !before(&slice, &until);
		if (j->state == DONE)
			break;
		if (!late && !(gone && gone(arg)))
			continue;
		if (j->state == QUEUED) {
			unqueue(p, j);
			pthread_mutex_unlock(&p->lock);
			job_free(j);
			return SV_BUSY;
		}
		if (j->state == RUNNING) {
			/* The worker frees it, and ctx, when it is done. */
			j->abandoned = true;
			pthread_mutex_unlock(&p->lock);
			return SV_LATE;
		}
	}
	bool unavailable = j->unavailable;
	*rc = j->rc;
	pthread_mutex_unlock(&p->lock);
	job_free(j);
	return unavailable ? SV_UNAVAILABLE : SV_RAN;
}

void sv_pool_stop(sv_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nw; i++) {
		if (p->w[i].started)
			pthread_join(p->w[i].thread, NULL);
		qr_corpus_close(p->w[i].c);
	}
	/* Whatever is still queued has a caller waiting: its deadline ends
	 * the wait (the server stops taking requests before the pool). */
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	free(p->w);
	free(p->dir);
	free(p);
}
