/* libdeflate, whole-buffer only.
 *
 *   inflate_libdeflate whole FILE.gz [RUNS]
 *
 * libdeflate has no streaming API: libdeflate_gzip_decompress() needs a member's whole compressed
 * input in memory and an output buffer large enough for the member's whole output, whose size the
 * caller must know or guess (the gzip trailer's ISIZE gives it mod 2^32, for the last member only).
 * Several members: call libdeflate_gzip_decompress_ex() in a loop, which reports how much input a
 * member used; a member that does not fit returns LIBDEFLATE_INSUFFICIENT_SPACE and must be
 * retried into a larger buffer. It checks each member's CRC-32 and ISIZE itself
 * (LIBDEFLATE_BAD_DATA on a mismatch).
 *
 * Build: gcc -O2 -o inflate_libdeflate inflate_libdeflate.c -ldeflate -lz   (-lz: the check's crc32)
 */
#include <libdeflate.h>

#include "common.h"

static struct libdeflate_decompressor *decompressor;

static size_t run_whole(const char *path, output_check *check) {
    size_t in_size = reread_whole(path);
    size_t in_pos = 0, out_pos = 0;
    while (in_pos < in_size) { /* one call per member */
        size_t used = 0, produced = 0;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(
            decompressor, whole_in + in_pos, in_size - in_pos, whole_out + out_pos,
            whole_out_capacity - out_pos, &used, &produced);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
            /* Not reached with this recording (one member, ISIZE known); with several members
             * the total is unknown: grow the buffer and retry the member. */
            whole_out_capacity *= 2;
            whole_out = realloc(whole_out, whole_out_capacity);
            if (!whole_out) return (size_t)-1;
            continue;
        }
        if (r != LIBDEFLATE_SUCCESS) {
            fprintf(stderr, "libdeflate: error %d\n", (int)r);
            return (size_t)-1;
        }
        in_pos += used;
        out_pos += produced;
    }
    check_update(check, whole_out, out_pos);
    return out_pos;
}

int main(int argc, char **argv) {
    if (argc < 3 || strcmp(argv[1], "whole") != 0) {
        fprintf(stderr, "usage: %s whole FILE.gz [RUNS]\n", argv[0]);
        return 2;
    }
    const char *path = argv[2];
    int runs = argc > 3 ? atoi(argv[3]) : 10;
    prepare_whole(path, 1u << 20);
    decompressor = libdeflate_alloc_decompressor();
    int status = bench_main("libdeflate_whole", path, runs, run_whole);
    libdeflate_free_decompressor(decompressor);
    return status;
}
