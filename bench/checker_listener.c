/* The real servers of the checker benchmark (bench/checker_bench.py): one process, one epoll
 * loop, listening on 0.0.0.0 at ports FIRST..FIRST+COUNT-1 inside the benchmark's network
 * namespace (whose lo holds the real servers' addresses).
 *
 *   tcp mode:  accept and close (what TCP_CHECK needs);
 *   http mode: accept, read the request up to its blank line, answer
 *              "HTTP/1.0 200 OK" with a 3-byte body, close.
 *
 * Every accepted connection is stamped (CLOCK_MONOTONIC) and attributed to its destination
 * address:port (getsockname); the time since the previous accept for the same destination is
 * one per-server period sample. Written in C because the benchmark needs well over 20,000
 * connections a second from one core with room to spare (the script reports this process's
 * CPU so that it can be seen not to be the limit).
 *
 * Commands on stdin, one a line; each answer is one line on stdout:
 *   mark         start a measurement window (counters and period samples reset)
 *   report PATH  write the window's period samples (uint32 microseconds, native order) to
 *                PATH and print "accepts N dests D min_per_dest A max_per_dest B samples S
 *                dropped_samples X errors E"
 *   forget       forget every destination (before another checker starts)
 *   quit         exit
 *
 * Usage: checker_listener tcp|http FIRST_PORT PORT_COUNT [SAMPLE_EVERY]
 *   SAMPLE_EVERY k keeps period samples for one destination in k (by a hash of address:port).
 * Build: gcc -O2 -o checker_listener checker_listener.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TABLE_BITS 16 /* 65,536 slots for at most a few tens of thousands of destinations */
#define TABLE_SIZE (1u << TABLE_BITS)
#define MAX_SAMPLES (8u << 20)
#define MAX_FDS (1u << 20)
#define LISTENER_TAG (1ull << 32)

struct dest {
  uint64_t key; /* (address << 16 | port) + 1; 0 = empty slot */
  uint64_t last_us;
  uint32_t count; /* accepts in the current window */
  int sampled;
};

static struct dest table[TABLE_SIZE];
static uint32_t *samples;
static uint32_t nsamples, dropped;
static uint64_t accepts, errors;
static int sample_every = 1;
static int http;
static uint32_t *tails; /* http: the last 4 bytes read on each connection */

static const char response[] =
    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

static struct dest *lookup(uint64_t key) {
  uint32_t i = (uint32_t)mix(key) & (TABLE_SIZE - 1);
  for (;;) {
    struct dest *d = &table[i];
    if (d->key == key) return d;
    if (d->key == 0) {
      d->key = key;
      d->sampled = (mix(key ^ 0x9e3779b97f4a7c15ull) % (uint64_t)sample_every) == 0;
      return d;
    }
    i = (i + 1) & (TABLE_SIZE - 1);
  }
}

static void stamp(int fd, uint64_t t) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr *)&a, &len) != 0 || a.sin_family != AF_INET) {
    ++errors;
    return;
  }
  uint64_t key = (((uint64_t)ntohl(a.sin_addr.s_addr) << 16) | ntohs(a.sin_port)) + 1;
  struct dest *d = lookup(key);
  ++accepts;
  ++d->count;
  if (d->sampled && d->last_us) {
    uint64_t gap = t - d->last_us;
    if (nsamples < MAX_SAMPLES)
      samples[nsamples++] = gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
    else
      ++dropped;
  }
  d->last_us = t;
}

static void mark(void) {
  for (uint32_t i = 0; i < TABLE_SIZE; ++i) table[i].count = 0;
  nsamples = dropped = 0;
  accepts = errors = 0;
}

static void report(const char *path) {
  uint64_t dests = 0, minc = UINT64_MAX, maxc = 0;
  for (uint32_t i = 0; i < TABLE_SIZE; ++i) {
    if (!table[i].key) continue;
    uint64_t c = table[i].count;
    if (c) ++dests;
    if (c < minc) minc = c;
    if (c > maxc) maxc = c;
  }
  if (minc == UINT64_MAX) minc = 0;
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(samples, sizeof *samples, nsamples, f);
    fclose(f);
  }
  printf("accepts %llu dests %llu min_per_dest %llu max_per_dest %llu samples %u "
         "dropped_samples %u errors %llu\n",
         (unsigned long long)accepts, (unsigned long long)dests, (unsigned long long)minc,
         (unsigned long long)maxc, nsamples, dropped, (unsigned long long)errors);
  fflush(stdout);
}

/* http: reads what the client sent; answers once the request's blank line is in. Returns 1
 * when the connection is done (and closed). */
static int serve(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      uint32_t tail = tails[fd];
      int end = 0;
      for (ssize_t i = 0; i < n; ++i) {
        tail = (tail << 8) | (uint8_t)buf[i];
        if (tail == 0x0d0a0d0a) end = 1;
      }
      tails[fd] = tail;
      if (end) {
        if (send(fd, response, sizeof response - 1, MSG_NOSIGNAL) != (ssize_t)sizeof response - 1)
          ++errors;
        close(fd);
        return 1;
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    if (n < 0) ++errors;
    close(fd); /* the client went away before its request ended */
    return 1;
  }
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s tcp|http FIRST_PORT PORT_COUNT [SAMPLE_EVERY]\n", argv[0]);
    return 2;
  }
  http = strcmp(argv[1], "http") == 0;
  int first = atoi(argv[2]), count = atoi(argv[3]);
  if (argc > 4) sample_every = atoi(argv[4]) > 0 ? atoi(argv[4]) : 1;
  samples = malloc(sizeof *samples * MAX_SAMPLES);
  tails = calloc(MAX_FDS, sizeof *tails);
  if (!samples || !tails) return 1;
  struct rlimit rl = {MAX_FDS, MAX_FDS};
  setrlimit(RLIMIT_NOFILE, &rl);

  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = LISTENER_TAG | 0};
  epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev); /* stdin: commands */
  for (int p = first; p < first + count; ++p) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p),
                            .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 65535) != 0) {
      perror("bind/listen");
      return 1;
    }
    ev.events = EPOLLIN;
    ev.data.u64 = LISTENER_TAG | (uint64_t)s;
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
  }
  printf("ready\n");
  fflush(stdout);

  struct epoll_event events[256];
  char line[4096];
  size_t line_len = 0;
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      uint64_t u = events[i].data.u64;
      int fd = (int)(u & 0xffffffffu);
      if (!(u & LISTENER_TAG)) { /* an http connection waiting for its request */
        serve(fd);             /* a closed fd leaves epoll by itself */
        continue;
      }
      if (fd == 0) { /* a command */
        ssize_t r = read(0, line + line_len, sizeof line - 1 - line_len);
        if (r <= 0) return 0;
        line_len += (size_t)r;
        char *nl;
        while ((nl = memchr(line, '\n', line_len)) != NULL) {
          *nl = '\0';
          if (strcmp(line, "mark") == 0) {
            mark();
            printf("ok\n");
            fflush(stdout);
          } else if (strncmp(line, "report ", 7) == 0) {
            report(line + 7);
          } else if (strcmp(line, "forget") == 0) {
            memset(table, 0, sizeof table);
            mark();
            printf("ok\n");
            fflush(stdout);
          } else if (strcmp(line, "quit") == 0) {
            return 0;
          }
          size_t used = (size_t)(nl - line) + 1;
          memmove(line, nl + 1, line_len - used);
          line_len -= used;
        }
        continue;
      }
      for (;;) { /* a listener: take every pending connection */
        int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) {
          if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED) ++errors;
          break;
        }
        stamp(c, now_us());
        if (!http) {
          close(c);
          continue;
        }
        if ((unsigned)c >= MAX_FDS) {
          close(c);
          ++errors;
          continue;
        }
        tails[c] = 0;
        if (!serve(c)) {
          struct epoll_event cev = {.events = EPOLLIN, .data.u64 = (uint64_t)c};
          if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev) != 0) {
            ++errors;
            close(c);
          }
        }
      }
    }
  }
}
