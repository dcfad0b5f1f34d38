/* ISA-L's igzip library (libisal, Debian's libisal-dev: #include <isa-l/igzip_lib.h>, -lisal).
 *
 *   inflate_isal stream FILE.gz [RUNS]     streamed with isal_inflate(): 256 KiB of input at a time
 *                                          into a reused 256 KiB output buffer. Flat memory.
 *   inflate_isal whole FILE.gz [RUNS]      isal_inflate() once over the whole .gz into one buffer
 *                                          of the whole output.
 *   inflate_isal stateless FILE.gz [RUNS]  isal_inflate_stateless(), whole buffers.
 *
 * Gzip framing: with state.crc_flag = ISAL_GZIP, isal_inflate() parses the member's header itself
 * (FEXTRA, FNAME, FCOMMENT, FHCRC included), keeps the CRC-32 of the output in state.crc, and at the
 * end of the member reads the trailer and checks CRC-32 and ISIZE: a mismatch returns
 * ISAL_INCORRECT_CHECKSUM. When the member is done, block_state is ISAL_BLOCK_FINISH and next_in
 * points just past its trailer. (isal_read_gzip_header() is the alternative when the header's
 * fields are wanted: call it first, then inflate with crc_flag = ISAL_GZIP_NO_HDR_VER, which still
 * verifies the trailer; ISAL_GZIP_NO_HDR only computes state.crc and checks nothing.)
 * Several members: isal_inflate() stops at the end of the first; the caller sees ISAL_BLOCK_FINISH
 * with input left, calls isal_inflate_reset() (it keeps next_in/avail_in/next_out/avail_out and
 * crc_flag, and clears block_state, crc and total_out; the igzip command sets crc_flag = ISAL_GZIP
 * again anyway, and so does this program) and goes on. total_out is 32-bit: count output yourself.
 *
 * In the checking run, each member's output is also CRC'd with zlib and compared with state.crc
 * at ISAL_BLOCK_FINISH, to show state.crc is the finished gzip CRC-32.
 *
 * Build: gcc -O2 -o inflate_isal inflate_isal.c -lisal -lz   (-lz: the check's crc32)
 */
#include <isa-l/igzip_lib.h>

#include "common.h"

static uint8_t *in_chunk, *out_chunk;
static struct inflate_state state; /* ~ 18 KB; static, allocated once */

static size_t run_stream(const char *path, output_check *check) {
    int fd = open_or_die(path);
    isal_inflate_init(&state);
    state.crc_flag = ISAL_GZIP;
    size_t total = 0;
    int input_ended = 0, members = 0;
    uLong member_crc = crc32(0L, Z_NULL, 0);
    for (;;) {
        if (state.avail_in == 0 && !input_ended) {
            size_t n = read_some(fd, in_chunk, STREAM_CHUNK);
            if (n == 0) input_ended = 1;
            state.next_in = in_chunk;
            state.avail_in = (uint32_t)n;
        }
        if (state.block_state == ISAL_BLOCK_FINISH) {
            if (check && state.crc != (uint32_t)member_crc) {
                fprintf(stderr, "isal: state.crc %08x != zlib crc32 %08lx\n", state.crc, member_crc);
                close(fd);
                return (size_t)-1;
            }
            if (state.avail_in == 0) {
                if (input_ended) break; /* clean end after a whole member */
                continue;               /* read more: another member may follow */
            }
            /* Another member follows (or junk, which isal_inflate rejects as a bad header). */
            isal_inflate_reset(&state);
            state.crc_flag = ISAL_GZIP;
            member_crc = crc32(0L, Z_NULL, 0);
        }
        state.next_out = out_chunk;
        state.avail_out = STREAM_CHUNK;
        int ret = isal_inflate(&state);
        size_t got = STREAM_CHUNK - state.avail_out;
        if (check) {
            check_update(check, out_chunk, got);
            member_crc = crc32(member_crc, out_chunk, (uInt)got);
        }
        total += got;
        if (ret != ISAL_DECOMP_OK) {
            fprintf(stderr, "isal: error %d%s\n", ret,
                    ret == ISAL_INCORRECT_CHECKSUM ? " (incorrect checksum)" : "");
            close(fd);
            return (size_t)-1;
        }
        if (state.block_state == ISAL_BLOCK_FINISH) members++;
        else if (state.avail_in == 0 && input_ended && got == 0) {
            fprintf(stderr, "isal: truncated gzip stream\n");
            close(fd);
            return (size_t)-1;
        }
    }
    close(fd);
    if (check) fprintf(stderr, "isal stream: %d member(s), CRC of each checked by isal and against zlib\n", members);
    return total;
}


/* Reads the file again and points a fresh gzip state at the whole input and output. */
static void begin_whole(const char *path) {
    size_t in_size = reread_whole(path);
    isal_inflate_init(&state);
    state.crc_flag = ISAL_GZIP;
    state.next_in = whole_in;
    state.avail_in = (uint32_t)in_size;
    state.next_out = whole_out;
    state.avail_out = (uint32_t)whole_out_capacity;
}

static size_t run_whole(const char *path, output_check *check) {
    begin_whole(path);
    int ret = isal_inflate(&state); /* one member: this recording has one */
    if (ret != ISAL_DECOMP_OK || state.block_state != ISAL_BLOCK_FINISH) return (size_t)-1;
    size_t total = whole_out_capacity - state.avail_out;
    check_update(check, whole_out, total);
    return total;
}

static size_t run_stateless(const char *path, output_check *check) {
    begin_whole(path);
    int ret = isal_inflate_stateless(&state);
    if (ret != ISAL_DECOMP_OK) {
        fprintf(stderr, "isal stateless: error %d\n", ret);
        return (size_t)-1;
    }
    size_t total = whole_out_capacity - state.avail_out;
    check_update(check, whole_out, total);
    return total;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s stream|whole|stateless FILE.gz [RUNS]\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1], *path = argv[2];
    int runs = argc > 3 ? atoi(argv[3]) : 10;
    if (strcmp(mode, "stream") == 0) {
        in_chunk = malloc(STREAM_CHUNK);
        out_chunk = malloc(STREAM_CHUNK);
        return bench_main("isal_stream", path, runs, run_stream);
    }
    prepare_whole(path, 0);
    if (strcmp(mode, "whole") == 0) return bench_main("isal_whole", path, runs, run_whole);
    if (strcmp(mode, "stateless") == 0) return bench_main("isal_stateless", path, runs, run_stateless);
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
