/* Fuzz target: the twitter-v1 reader, framing and normalizing, and the
 * normalized post's JSON written and read back. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_stream_format(qr_format_by_name("twitter-v1"), data, size);
	return 0;
}
