#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "text.h"

/* This thread's messages go here instead of stderr (qr_cli_capture). */
static _Thread_local qr_buf *captured;

void qr_cli_capture(qr_buf *into)
{
	captured = into;
}

static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
	qr_buf raw = QR_BUF_INIT, safe = QR_BUF_INIT;
	qr_buf_vaddf(&raw, fmt, ap);
	qr_escape_terminal(&safe, raw.buf, raw.len, 0);
	if (captured)
		qr_buf_addf(captured, "%s%s%s", captured->len ? "\n" : "", prefix, safe.buf);
	else
		fprintf(stderr, "quire: %s%s\n", prefix, safe.buf);
	qr_buf_release(&raw);
	qr_buf_release(&safe);
}

void qr_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void qr_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

int qr_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
	if (!captured)
		fprintf(stderr, "try 'quire %s -h' for help\n", cmd);
	return QR_EXIT_USAGE;
}

void (*qr_cli_help_hook)(const qr_command_help *help, void *ctx);
void *qr_cli_help_ctx;

void qr_cli_print_help(const qr_command_help *h, FILE *out)
{
	fprintf(out, "usage: quire %s %s\n\n%s\n", h->name, h->usage, h->summary);
	if (h->details)
		fprintf(out, "\n%s\n", h->details);
	if (h->options && h->options[0].name) {
		fprintf(out, "\noptions:\n");
		for (const qr_option *o = h->options; o->name; o++) {
			char left[64];
			if (o->short_name)
				snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
					 o->arg ? o->arg : "");
			else
				snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
			fprintf(out, "  %-28s %s\n", left, o->help);
		}
		fprintf(out, "  %-28s %s\n", "-h, --help", "show this help");
	}
	if (h->examples)
		fprintf(out, "\nexamples:\n%s\n", h->examples);
}

int qr_cli_parse(const qr_command_help *help, int argc, char **argv, int (*fn)(void *ctx, const char *name, const char *arg),
		 void *ctx, int *first_arg)
{
	size_t n = 0;
	while (help->options && help->options[n].name)
		n++;
	struct option *longs = qr_calloc(n + 2, sizeof(*longs));
	qr_buf shorts = QR_BUF_INIT;
	qr_buf_adds(&shorts, ":h");
	for (size_t i = 0; i < n; i++) {
		const qr_option *o = &help->options[i];
		longs[i].name = o->name;
		longs[i].has_arg = o->arg ? required_argument : no_argument;
		longs[i].val = 256 + (int)i;
		if (o->short_name) {
			qr_buf_addch(&shorts, o->short_name);
			if (o->arg)
				qr_buf_addch(&shorts, ':');
		}
	}
	longs[n].name = "help";
	longs[n].val = 'h';
	int status = 0, c, idx;
	optind = 1;
	opterr = 0;
	while (!status && (c = getopt_long(argc, argv, shorts.buf, longs, &idx)) != -1) {
		if (c == 'h') {
			if (qr_cli_help_hook)
				qr_cli_help_hook(help, qr_cli_help_ctx);
			else
				qr_cli_print_help(help, stdout);
			status = -1;
			break;
		}
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];
			if (c == ':')
				status = qr_usage_error(help->name, "option '%s' needs a value", bad);
			else
				status = qr_usage_error(help->name, "unknown option '%s'", bad);
			break;
		}
		const qr_option *o = NULL;
		if (c >= 256)
			o = &help->options[c - 256];
		else
			for (size_t i = 0; i < n && !o; i++)
				if (help->options[i].short_name == c)
					o = &help->options[i];
		if (o)
			status = fn(ctx, o->name, optarg);
	}
	*first_arg = optind;
	free(longs);
	qr_buf_release(&shorts);
	return status;
}

const char *qr_cli_corpus(const char *given)
{
	if (given && *given)
		return given;
	const char *env = getenv("QUIRE_CORPUS");
	if (env && *env)
		return env;
	return "quire-corpus";
}

bool qr_cli_uint(const char *cmd, const char *opt, const char *arg, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > max) {
		qr_usage_error(cmd, "--%s needs a whole number from 0 to %llu, not '%s'", opt, max, arg);
		return false;
	}
	*out = v;
	return true;
}
