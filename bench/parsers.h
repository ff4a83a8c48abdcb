/* bench/parsers: JSON parsers that cannot share a translation unit with
 * jansson (json-c declares the same names) or are C++ (simdjson), for
 * bench/jsonparse only. */
#ifndef BENCH_PARSERS_H
#define BENCH_PARSERS_H

#include <stddef.h>

/* Parse one JSON text of len bytes into a DOM and free it; 0 on success.
 * For simdjson, bench_simdjson_padding() bytes after it must be readable. */
int bench_simdjson_parse(const char *buf, size_t len);
size_t bench_simdjson_padding(void);
int bench_jsonc_parse(const char *buf, size_t len);

#endif
