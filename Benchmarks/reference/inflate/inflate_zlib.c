/* zlib inflate (the system zlib1g, as liqwatch's GzipByteSource uses now).
 *
 *   inflate_zlib stream FILE.gz [RUNS]   streamed: 256 KiB of input at a time into a reused
 *                                        256 KiB output buffer; several members handled with
 *                                        inflateReset, as liqwatch does. Flat memory.
 *   inflate_zlib whole FILE.gz [RUNS]    the whole .gz in memory, inflated into one buffer of the
 *                                        whole output (its size from the gzip trailer's ISIZE).
 *
 * Build: gcc -O2 -o inflate_zlib inflate_zlib.c -lz
 * zlib checks each member's CRC-32 and ISIZE itself (windowBits 16 + MAX_WBITS): inflate returns
 * Z_DATA_ERROR ("incorrect data check") on a mismatch.
 */
#include "common.h"

static uint8_t *in_chunk, *out_chunk;

static size_t run_stream(const char *path, output_check *check) {
    int fd = open_or_die(path);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return (size_t)-1;
    size_t total = 0;
    int input_ended = 0, member_ended = 0, ok = 1;
    for (;;) {
        if (zs.avail_in == 0 && !input_ended) {
            size_t n = read_some(fd, in_chunk, STREAM_CHUNK);
            if (n == 0) input_ended = 1;
            zs.next_in = in_chunk;
            zs.avail_in = (uInt)n;
        }
        if (zs.avail_in == 0 && input_ended) {
            ok = member_ended; /* else: truncated */
            break;
        }
        if (member_ended) { /* another member follows */
            inflateReset(&zs);
            member_ended = 0;
        }
        zs.next_out = out_chunk;
        zs.avail_out = STREAM_CHUNK;
        int status = inflate(&zs, Z_NO_FLUSH);
        size_t got = STREAM_CHUNK - zs.avail_out;
        check_update(check, out_chunk, got);
        total += got;
        if (status == Z_STREAM_END) member_ended = 1;
        else if (status != Z_OK && status != Z_BUF_ERROR) {
            fprintf(stderr, "zlib: %s\n", zs.msg ? zs.msg : "error");
            ok = 0;
            break;
        }
    }
    inflateEnd(&zs);
    close(fd);
    return ok ? total : (size_t)-1;
}


static size_t run_whole(const char *path, output_check *check) {
    size_t in_size = reread_whole(path);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return (size_t)-1;
    zs.next_in = whole_in;
    zs.avail_in = (uInt)in_size;
    zs.next_out = whole_out;
    zs.avail_out = (uInt)whole_out_capacity;
    int status = inflate(&zs, Z_FINISH); /* one member: this recording has one */
    size_t total = zs.total_out;
    inflateEnd(&zs);
    if (status != Z_STREAM_END) return (size_t)-1;
    check_update(check, whole_out, total);
    return total;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s stream|whole FILE.gz [RUNS]\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1], *path = argv[2];
    int runs = argc > 3 ? atoi(argv[3]) : 10;
    if (strcmp(mode, "stream") == 0) {
        in_chunk = malloc(STREAM_CHUNK);
        out_chunk = malloc(STREAM_CHUNK);
        return bench_main("zlib_stream", path, runs, run_stream);
    }
    if (strcmp(mode, "whole") == 0) {
        prepare_whole(path, 0);
        return bench_main("zlib_whole", path, runs, run_whole);
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
