/* Shared helpers for the inflate reference programs: timing, file reading, reporting.
 *
 * Every program is run as `PROGRAM MODE FILE.gz [RUNS]`. It decompresses FILE.gz to memory RUNS
 * times (default 10), each run reading the file from the page cache with read(2) (so the time
 * includes reading the compressed bytes, as zcat's does), and prints
 *     reference_inflate_<name>_seconds: BEST s
 * followed by a comment line with the median, the worst, the bytes produced and the CRC-32 of the
 * output (computed in one extra, untimed run with zlib's crc32(), so run.sh can check that every
 * library produced the same bytes). Exit status 1 when a run fails (damaged input, CRC mismatch).
 */
#ifndef LIQWATCH_INFLATE_COMMON_H
#define LIQWATCH_INFLATE_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* Streamed modes use fixed buffers of this size for input and output (liqwatch's GzipByteSource
 * reads 256 KiB of compressed input at a time; its decompression thread fills 1 MiB chunks).
 * Build with -DSTREAM_CHUNK=... to try other sizes. */
#ifndef STREAM_CHUNK
#define STREAM_CHUNK (1u << 18)
#endif

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int open_or_die(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        exit(1);
    }
    return fd;
}

/* Reads up to `capacity` bytes; returns the count (0 at end of file), exits on error. */
static size_t read_some(int fd, uint8_t *buffer, size_t capacity) {
    for (;;) {
        ssize_t n = read(fd, buffer, capacity);
        if (n >= 0) return (size_t)n;
        if (errno == EINTR) continue;
        fprintf(stderr, "read: %s\n", strerror(errno));
        exit(1);
    }
}

/* Reads the whole file into `buffer` (capacity >= file size). */
static size_t read_all(int fd, uint8_t *buffer, size_t capacity) {
    size_t got = 0;
    for (;;) {
        size_t n = read_some(fd, buffer + got, capacity - got);
        if (n == 0) return got;
        got += n;
        if (got == capacity) return got;
    }
}

static size_t file_size(const char *path) {
    struct stat info;
    if (stat(path, &info) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        exit(1);
    }
    return (size_t)info.st_size;
}

/* The "whole" modes: the compressed file in memory (read again, from the page cache, in every
 * timed run) and an output buffer as large as the gzip trailer's ISIZE says (the uncompressed size
 * mod 2^32 of the last member), at least `minimum_out`, faulted in before timing. */
static uint8_t *whole_in, *whole_out;
static size_t whole_in_capacity, whole_out_capacity;

static void prepare_whole(const char *path, size_t minimum_out) {
    whole_in_capacity = file_size(path);
    whole_in = malloc(whole_in_capacity);
    int fd = open_or_die(path);
    read_all(fd, whole_in, whole_in_capacity);
    close(fd);
    const uint8_t *t = whole_in + whole_in_capacity - 4;
    whole_out_capacity = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
    if (whole_out_capacity < minimum_out) whole_out_capacity = minimum_out;
    whole_out = malloc(whole_out_capacity + 1);
    memset(whole_out, 0, whole_out_capacity + 1);
}

/* Reads the compressed file into `whole_in` again; returns its size. */
static size_t reread_whole(const char *path) {
    int fd = open_or_die(path);
    size_t in_size = read_all(fd, whole_in, whole_in_capacity);
    close(fd);
    return in_size;
}

/* Called with each piece of output during the untimed checking run. */
typedef struct {
    uLong crc;
    size_t bytes;
} output_check;

static void check_update(output_check *check, const uint8_t *data, size_t count) {
    if (!check) return;
    check->crc = crc32(check->crc, data, (uInt)count);
    check->bytes += count;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Runs `body` (which returns the bytes produced, or (size_t)-1 on failure) `runs` times and once
 * more with a check, and prints the report. */
static int bench_main(const char *name, const char *path, int runs,
                      size_t (*body)(const char *path, output_check *check)) {
    if (runs < 1) runs = 1;
    double *times = calloc((size_t)runs, sizeof(double));
    size_t produced = 0;
    for (int i = 0; i < runs; i++) {
        double start = now_seconds();
        size_t n = body(path, NULL);
        times[i] = now_seconds() - start;
        if (n == (size_t)-1) {
            fprintf(stderr, "%s: decompression failed\n", name);
            return 1;
        }
        if (i > 0 && n != produced) {
            fprintf(stderr, "%s: runs produced different sizes\n", name);
            return 1;
        }
        produced = n;
    }
    output_check check = {crc32(0L, Z_NULL, 0), 0};
    if (body(path, &check) == (size_t)-1 || check.bytes != produced) {
        fprintf(stderr, "%s: checking run failed\n", name);
        return 1;
    }
    qsort(times, (size_t)runs, sizeof(double), compare_doubles);
    printf("reference_inflate_%s_seconds: %.4f s\n", name, times[0]);
    printf("# %s: best %.4f median %.4f worst %.4f s over %d runs; %zu bytes out, %.1f MB/s out at best; crc32 %08lx\n",
           name, times[0], times[runs / 2], times[runs - 1], runs, produced,
           (double)produced / times[0] / 1e6, check.crc);
    free(times);
    return 0;
}

#endif
