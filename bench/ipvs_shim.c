/* An LD_PRELOAD shim that lets keepalived's checker run on a kernel without IPVS, for the
 * checker benchmark (bench/checker_bench.py) only.
 *
 * keepalived's bundled libipvs first asks generic netlink for the "IPVS" family (absent here,
 * so it falls back by itself) and then talks to the kernel through getsockopt/setsockopt on a
 * raw socket at level IPPROTO_IP with the IP_VS_SO_GET_* / IP_VS_SO_SET_* options
 * (<linux/ip_vs.h>). This shim answers those options as an empty IPVS 1.2.1 would: every SET
 * succeeds, GET_INFO reports version 1.2.1 with a 4096-entry connection table, the service
 * and destination lists are empty, timeouts and sync daemons are the kernel's defaults. Any
 * other option goes to the C library untouched. Nothing is programmed anywhere.
 *
 * Build: gcc -O2 -shared -fPIC -o ipvs_shim.so ipvs_shim.c -ldl
 * Use:   LD_PRELOAD=/path/ipvs_shim.so keepalived -C -n -l -f keepalived.conf
 * VIGIL_IPVS_SHIM_LOG=1 in the environment prints each intercepted call to stderr.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*getsockopt_fn)(int, int, int, void *, socklen_t *);
typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);

static int shim_log(void) {
  static int v = -1;
  if (v < 0) v = getenv("VIGIL_IPVS_SHIM_LOG") != NULL;
  return v;
}

static int is_ipvs_get(int level, int opt) {
  return level == IPPROTO_IP && opt >= IP_VS_SO_GET_VERSION && opt <= IP_VS_SO_GET_MAX;
}

static int is_ipvs_set(int level, int opt) {
  return level == IPPROTO_IP && opt >= IP_VS_BASE_CTL && opt <= IP_VS_SO_SET_MAX;
}

/* Copies `n` bytes of `src` into the caller's buffer, as the kernel would (it fails with
 * EINVAL when the buffer is too small for what was asked). */
static int answer(void *val, socklen_t *len, const void *src, size_t n) {
  if (!len || *len < n) {
    errno = EINVAL;
    return -1;
  }
  memcpy(val, src, n);
  *len = (socklen_t)n;
  return 0;
}

int getsockopt(int fd, int level, int opt, void *val, socklen_t *len) {
  static getsockopt_fn real;
  if (!is_ipvs_get(level, opt)) {
    if (!real) real = (getsockopt_fn)dlsym(RTLD_NEXT, "getsockopt");
    return real(fd, level, opt, val, len);
  }
  if (shim_log()) fprintf(stderr, "ipvs_shim: getsockopt %d len %u\n", opt, len ? *len : 0);
  switch (opt) {
    case IP_VS_SO_GET_VERSION: {
      char text[64];
      memset(text, 0, sizeof text);
      snprintf(text, sizeof text, "IP Virtual Server version 1.2.1 (size=4096)");
      if (!len || *len == 0) {
        errno = EINVAL;
        return -1;
      }
      size_t n = *len < sizeof text ? *len : sizeof text;
      memcpy(val, text, n);
      ((char *)val)[n - 1] = '\0';
      *len = (socklen_t)n;
      return 0;
    }
    case IP_VS_SO_GET_INFO: {
      struct ip_vs_getinfo info = {.version = (1 << 16) | (2 << 8) | 1, .size = 4096,
                                   .num_services = 0};
      return answer(val, len, &info, sizeof info);
    }
    case IP_VS_SO_GET_SERVICES: {
      /* The caller's header is kept; the list it asked for is empty. */
      if (!len || *len < sizeof(struct ip_vs_get_services)) {
        errno = EINVAL;
        return -1;
      }
      ((struct ip_vs_get_services *)val)->num_services = 0;
      *len = sizeof(struct ip_vs_get_services);
      return 0;
    }
    case IP_VS_SO_GET_DESTS: {
      if (!len || *len < sizeof(struct ip_vs_get_dests)) {
        errno = EINVAL;
        return -1;
      }
      ((struct ip_vs_get_dests *)val)->num_dests = 0;
      *len = sizeof(struct ip_vs_get_dests);
      return 0;
    }
    case IP_VS_SO_GET_SERVICE:
    case IP_VS_SO_GET_DEST:
      errno = ESRCH; /* what the kernel says for a service it does not have */
      return -1;
    case IP_VS_SO_GET_TIMEOUT: {
      struct ip_vs_timeout_user t = {.tcp_timeout = 900, .tcp_fin_timeout = 120,
                                     .udp_timeout = 300};
      return answer(val, len, &t, sizeof t);
    }
    case IP_VS_SO_GET_DAEMON: {
      struct ip_vs_daemon_user d[2];
      memset(d, 0, sizeof d);
      return answer(val, len, d, sizeof d);
    }
  }
  errno = EINVAL;
  return -1;
}

int setsockopt(int fd, int level, int opt, const void *val, socklen_t len) {
  static setsockopt_fn real;
  if (!is_ipvs_set(level, opt)) {
    if (!real) real = (setsockopt_fn)dlsym(RTLD_NEXT, "setsockopt");
    return real(fd, level, opt, val, len);
  }
  if (shim_log()) fprintf(stderr, "ipvs_shim: setsockopt %d len %u\n", opt, len);
  return 0;
}
