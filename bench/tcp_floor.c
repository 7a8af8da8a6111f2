/* The kernel's floor for a TCP check, measured by bench/checker_bench.py beside the two
 * checkers: the same checks (a non-blocking connect to each real server, its outcome read from
 * SO_ERROR, a passed check ended with a reset that keeps the socket: connect() to AF_UNSPEC),
 * with nothing else around them: no configuration, no timers, no per-check allocation, every
 * socket registered once with an edge-triggered epoll and a new check started as soon as the
 * last one ends. What this costs per check is what the kernel charges a checker that completes
 * the handshake; no checker can spend less.
 *
 * The real servers are the benchmark's: server n is 198.51.100.(n/PORTS+1) (203.0.113.x after
 * the 125th address) at port FIRST+n%PORTS, one socket each, all in flight at once.
 *
 * Prints "Startup complete" once every socket has its first connect, then runs until killed;
 * on stderr, every 10 s, the checks passed and failed so far.
 *
 * Usage: tcp_floor SERVERS FIRST_PORT PORT_COUNT
 * Build: gcc -O2 -o tcp_floor tcp_floor.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct target {
  struct sockaddr_in addr;
  int fd;
};

static struct target *targets;
static int epfd;
static uint64_t passed, failed;

static void die(const char *what) {
  perror(what);
  exit(1);
}

/* A new socket for target i, registered once; its first check started. */
static void open_and_start(uint32_t i);

/* Starts a check on target i's socket: 1 if it completed at once, 0 if in progress. */
static int start(uint32_t i) {
  struct target *t = &targets[i];
  if (connect(t->fd, (struct sockaddr *)&t->addr, sizeof t->addr) == 0) return 1;
  if (errno == EINPROGRESS) return 0;
  failed++;
  close(t->fd);
  open_and_start(i);
  return 0;
}

static void open_and_start(uint32_t i) {
  struct target *t = &targets[i];
  t->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (t->fd < 0) die("socket");
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLET, .data.u32 = i};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, t->fd, &ev) != 0) die("epoll_ctl");
  while (start(i)) passed++;
}

/* The check on target i ended: read its outcome, reset a passed one, start the next. */
static void finish(uint32_t i) {
  struct target *t = &targets[i];
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err == 0) {
    /* epoll polls the socket again before reporting it, so a socket still connecting is
     * not reported: writable with no error is a connection made. */
    passed++;
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    if (connect(t->fd, &unspec, sizeof unspec) != 0) {
      close(t->fd);
      open_and_start(i);
      return;
    }
    while (start(i)) passed++;
    return;
  }
  failed++;
  close(t->fd);
  open_and_start(i);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: tcp_floor SERVERS FIRST_PORT PORT_COUNT\n");
    return 2;
  }
  uint32_t n = (uint32_t)strtoul(argv[1], NULL, 10);
  int first = atoi(argv[2]), ports = atoi(argv[3]);
  if (n == 0 || ports <= 0) return 2;
  targets = calloc(n, sizeof *targets);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (!targets || epfd < 0) die("setup");
  for (uint32_t i = 0; i < n; i++) {
    uint32_t j = i / (uint32_t)ports;
    char ip[32];
    if (j < 125)
      snprintf(ip, sizeof ip, "198.51.100.%u", j + 1);
    else
      snprintf(ip, sizeof ip, "203.0.113.%u", j - 125 + 1);
    targets[i].addr.sin_family = AF_INET;
    targets[i].addr.sin_port = htons((uint16_t)(first + (int)(i % (uint32_t)ports)));
    if (inet_pton(AF_INET, ip, &targets[i].addr.sin_addr) != 1) die("inet_pton");
  }
  for (uint32_t i = 0; i < n; i++) open_and_start(i);
  printf("Startup complete: %u sockets\n", n);
  fflush(stdout);
  struct epoll_event evs[256];
  struct timespec last, now;
  clock_gettime(CLOCK_MONOTONIC, &last);
  for (;;) {
    int k = epoll_wait(epfd, evs, 256, 1000);
    if (k < 0 && errno != EINTR) die("epoll_wait");
    for (int e = 0; e < k; e++) finish(evs[e].data.u32);
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - last.tv_sec >= 10) {
      fprintf(stderr, "passed %llu failed %llu\n", (unsigned long long)passed,
              (unsigned long long)failed);
      last = now;
    }
  }
}
