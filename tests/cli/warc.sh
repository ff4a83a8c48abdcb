# Building WARC records at test time with printf, gzip and wc (sourced by
# t14_warc.sh and t17_empty_pages.sh; needs $T).

# http_block STATUS ENCODING BODY: an HTTP response; ENCODING is plain,
# gzip, chunked or gzip+chunked.
http_block() {
	status=$1 enc=$2 body=$3
	case "$enc" in
	gzip*) gzip -9nc "$body" >"$T/payload" ;;
	*) cp "$body" "$T/payload" ;;
	esac
	printf 'HTTP/1.1 %s\r\ncontent-type: application/json; charset=utf-8\r\n' "$status"
	case "$enc" in gzip*) printf 'content-encoding: gzip\r\n' ;; esac
	case "$enc" in
	*chunked)
		printf 'transfer-encoding: chunked\r\n\r\n'
		size=$(wc -c <"$T/payload")
		half=$((size / 2))
		head -c "$half" "$T/payload" >"$T/c1"
		tail -c +"$((half + 1))" "$T/payload" >"$T/c2"
		printf '%x\r\n' "$half"; cat "$T/c1"; printf '\r\n'
		printf '%x;ext=1\r\n' "$((size - half))"; cat "$T/c2"; printf '\r\n'
		printf '0\r\n\r\n'
		;;
	*)
		printf 'content-length: %s\r\n\r\n' "$(wc -c <"$T/payload")"
		cat "$T/payload"
		;;
	esac
}

# record TYPE ID URI CONTENT-TYPE BLOCKFILE
record() {
	printf 'WARC/1.0\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:uuid:%s>\r\nWARC-Date: 2020-06-03T17:00:00Z\r\n' "$1" "$2"
	[ -n "$3" ] && printf 'WARC-Target-URI: %s\r\n' "$3"
	printf 'Content-Type: %s\r\nContent-Length: %s\r\n\r\n' "$4" "$(wc -c <"$5")"
	cat "$5"
	printf '\r\n\r\n'
}
