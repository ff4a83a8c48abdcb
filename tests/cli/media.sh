# Tiny valid media files for the archive tests, written at test time
# (sourced by t21_twitter_archive.sh and t22_mastodon.sh).

# A 1x1 PNG, red.
png_red() {
	printf '\211PNG\015\012\032\012\000\000\000\015IHDR\000\000\000\001\000\000\000\001\010\006\000\000\000\037\025\304\211'
	printf '\000\000\000\015IDAT\170\332\143\070\041\047\367\037\000\004\272\002\004\341\011\015\327'
	printf '\000\000\000\000IEND\256\102\140\202'
}

# A 1x1 PNG, blue.
png_blue() {
	printf '\211PNG\015\012\032\012\000\000\000\015IHDR\000\000\000\001\000\000\000\001\010\006\000\000\000\037\025\304\211'
	printf '\000\000\000\015IDAT\170\332\143\220\223\073\361\037\000\003\146\002\004\154\224\112\132'
	printf '\000\000\000\000IEND\256\102\140\202'
}

# The boxes an MP4 file starts with (ftyp, free, a small mdat); $1 makes
# the payload differ between files.
mp4_tiny() {
	printf '\000\000\000\030ftypisom\000\000\002\000isomiso2'
	printf '\000\000\000\010free'
	printf '\000\000\000\030mdat%-16.16s' "${1:-clip}"
}
