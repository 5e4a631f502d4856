/*
 * connhold: many concurrent HTTP/1.1 connections to one URL, for two measurements of
 * bench/run-e2e.sh (issue 4 "Targets"). Built by run-e2e.sh (cc -O2); no dependencies.
 * Structure and HTTP parsing follow tools/ratebench.c.
 *
 *   connhold -m idle   -c N -d SECONDS [-b BODY_FILE] [-H 'K: V']... URL
 *     Opens N keep-alive connections; with -b sends one request on each and reads the answer
 *     (so every connection has been through the request path, like a real idle client), prints
 *     "READY {json}" on stdout, then holds them all idle for SECONDS (the caller samples the
 *     server's RSS meanwhile), then prints one JSON line: opened, answered, closed_by_server.
 *
 *   connhold -m stream -c N -d SECONDS [-R RAMP_MS] [-s STALL_MS] -b BODY_FILE [-H 'K: V']... URL
 *     N connections, each streaming one request after another (closed loop) for SECONDS;
 *     the first requests are spread over RAMP_MS (default 1000) so that the streams are not
 *     in lock step. Records the gap between successive body reads of a response (inter-chunk
 *     gap; the mock paces events, so the floor is its pacing) and the time to the first body
 *     byte. A response counts as completed when it is 200, ends with the terminating chunk and
 *     contains "data: [DONE]"; anything else is failed (status, io/eof, no [DONE], timeout =
 *     still in flight 10 s after the end). Gaps above STALL_MS (default 1000) are counted as
 *     stalls. Output: one JSON line.
 * Every loop is bounded by SECONDS plus a 10 s grace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  int busy;
  uint64_t start_ns;    /* request sent */
  uint64_t last_ns;     /* last body read, 0 = no body yet */
  uint64_t first_ns;    /* first body byte */
  char *buf;
  size_t len, cap, hdr_end, cpos;
  long long clen;
  int chunked, status, sent_once;
  uint64_t next_send_ns; /* stream mode: when this connection sends its first request */
} conn_t;

static struct addrinfo *g_addr;
static char *g_req;
static size_t g_req_len;
static int g_ep;
static uint64_t *g_gaps, *g_first;
static size_t g_ngaps, g_capgaps, g_nfirst, g_capfirst;
static long long g_ok, g_err_status, g_err_io, g_err_nodone, g_stalls;
static uint64_t g_stall_ns = 1000000000ull;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *m) { perror(m); exit(2); }

static void push(uint64_t **v, size_t *n, size_t *cap, uint64_t x) {
  if (*n == *cap) {
    *cap = *cap ? *cap * 2 : 1 << 16;
    if (!(*v = realloc(*v, *cap * sizeof **v))) die("realloc");
  }
  (*v)[(*n)++] = x;
}

static int conn_open(conn_t *c) {
  int fd = socket(g_addr->ai_family, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (connect(fd, g_addr->ai_addr, g_addr->ai_addrlen) < 0) { close(fd); return -1; }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  c->fd = fd;
  c->busy = 0;
  c->len = 0;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
  if (epoll_ctl(g_ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  return 0;
}

static void conn_close(conn_t *c) {
  if (c->fd < 0) return;
  epoll_ctl(g_ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->fd = -1;
  c->busy = 0;
}

/* The request is small (~1.2 KB): one write on a fresh socket buffer always takes it whole. */
static int conn_send(conn_t *c) {
  c->busy = 1;
  c->start_ns = now_ns();
  c->last_ns = c->first_ns = 0;
  c->len = c->hdr_end = c->cpos = 0;
  c->clen = -1;
  c->chunked = c->status = 0;
  c->sent_once = 1;
  ssize_t n = write(c->fd, g_req, g_req_len);
  return n == (ssize_t)g_req_len ? 0 : -1;
}

/* 1 = whole response in buf, 0 = need more, -1 = garbage. Same rules as ratebench. */
static int parse(conn_t *c) {
  if (!c->hdr_end) {
    char *e = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!e) return 0;
    c->hdr_end = (size_t)(e - c->buf) + 4;
    if (c->len < 12 || strncmp(c->buf, "HTTP/1.", 7)) return -1;
    c->status = atoi(c->buf + 9);
    for (char *p = c->buf; p < e;) {
      char *nl = memchr(p, '\n', (size_t)(e + 2 - p)), line[512];
      if (!nl) break;
      size_t m = (size_t)(nl - p) < sizeof line - 1 ? (size_t)(nl - p) : sizeof line - 1;
      memcpy(line, p, m);
      line[m] = 0;
      if (!strncasecmp(line, "content-length:", 15)) c->clen = atoll(line + 15);
      else if (!strncasecmp(line, "transfer-encoding:", 18) && strcasestr(line, "chunked")) c->chunked = 1;
      p = nl + 1;
    }
    c->cpos = c->hdr_end;
  }
  if (c->chunked) {
    for (;;) {
      char *nl = memmem(c->buf + c->cpos, c->len - c->cpos, "\r\n", 2);
      if (!nl) return 0;
      size_t sz = strtoul(c->buf + c->cpos, NULL, 16);
      size_t data = (size_t)(nl - c->buf) + 2;
      if (sz == 0) return memmem(c->buf + data - 2, c->len - (data - 2), "\r\n\r\n", 4) ? 1 : 0;
      if (c->len < data + sz + 2) return 0;
      c->cpos = data + sz + 2;
    }
  }
  if (c->clen >= 0) return c->len >= c->hdr_end + (size_t)c->clen ? 1 : 0;
  return 0;
}

/* Reads what is there. Returns 1 when a response completed or the connection died. */
static int conn_read(conn_t *c, int record_gaps) {
  int got = 0;
  for (;;) {
    if (c->cap - c->len < 16384) {
      c->cap = c->cap ? c->cap * 2 : 32768;
      if (!(c->buf = realloc(c->buf, c->cap))) die("realloc");
    }
    ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
    if (n > 0) { c->len += (size_t)n; got = 1; continue; }
    if (n < 0 && errno == EAGAIN) break;
    if (c->busy) g_err_io++;  /* EOF or error */
    conn_close(c);
    return 1;
  }
  if (!c->busy || !got) return 0;
  uint64_t t = now_ns();
  int r = parse(c);
  if (c->hdr_end && c->len > c->hdr_end) {
    if (!c->first_ns) {
      c->first_ns = t;
      push(&g_first, &g_nfirst, &g_capfirst, t - c->start_ns);
    } else if (record_gaps) {
      uint64_t gap = t - c->last_ns;
      push(&g_gaps, &g_ngaps, &g_capgaps, gap);
      if (gap > g_stall_ns) g_stalls++;
    }
    c->last_ns = t;
  }
  if (r == 0) return 0;
  c->busy = 0;
  if (r < 0) { g_err_io++; conn_close(c); return 1; }
  if (c->status != 200) g_err_status++;
  else if (record_gaps && !memmem(c->buf + c->hdr_end, c->len - c->hdr_end, "data: [DONE]", 12)) g_err_nodone++;
  else g_ok++;
  return 1;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static double pct(uint64_t *v, size_t n, double p) {
  if (!n) return 0;
  size_t i = (size_t)(p / 100.0 * (double)n + 0.999999);
  if (i < 1) i = 1;
  if (i > n) i = n;
  return (double)v[i - 1] / 1e6;
}

static void print_dist_ms(const char *name, uint64_t *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_u64);
  printf("\"%s\":{\"n\":%zu,\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f}", name, n,
         pct(v, n, 50), pct(v, n, 90), pct(v, n, 99), pct(v, n, 99.9), n ? (double)v[n - 1] / 1e6 : 0.0);
}

static void usage(void) {
  fprintf(stderr, "usage: connhold -m idle|stream -c N -d SECONDS [-R RAMP_MS] [-s STALL_MS] [-b BODY_FILE] "
                  "[-H 'K: V']... http://host:port/path\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *mode = NULL, *body_file = NULL;
  int nconn = 0, opt;
  double dur = 0, ramp_ms = 1000;
  char hdrs[8192] = "";
  while ((opt = getopt(argc, argv, "m:c:d:R:s:b:H:")) != -1) {
    switch (opt) {
      case 'm': mode = optarg; break;
      case 'c': nconn = atoi(optarg); break;
      case 'd': dur = atof(optarg); break;
      case 'R': ramp_ms = atof(optarg); break;
      case 's': g_stall_ns = (uint64_t)(atof(optarg) * 1e6); break;
      case 'b': body_file = optarg; break;
      case 'H':
        if (strlen(hdrs) + strlen(optarg) + 3 >= sizeof hdrs) usage();
        strcat(hdrs, optarg);
        strcat(hdrs, "\r\n");
        break;
      default: usage();
    }
  }
  if (!mode || optind != argc - 1 || nconn < 1 || dur <= 0) usage();
  int stream = !strcmp(mode, "stream");
  if (!stream && strcmp(mode, "idle")) usage();
  if (stream && !body_file) usage();
  signal(SIGPIPE, SIG_IGN);
  struct rlimit rl = {.rlim_cur = (rlim_t)nconn + 64, .rlim_max = (rlim_t)nconn + 64};
  struct rlimit cur;
  if (getrlimit(RLIMIT_NOFILE, &cur) == 0 && cur.rlim_cur < rl.rlim_cur) {
    if (cur.rlim_max > rl.rlim_max) rl.rlim_max = cur.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) die("setrlimit NOFILE");
  }

  const char *url = argv[optind];
  if (strncmp(url, "http://", 7)) { fprintf(stderr, "only http:// URLs\n"); return 2; }
  char host[256], port[16] = "80";
  const char *hp = url + 7, *slash = strchr(hp, '/');
  const char *path = slash ? slash : "/";
  size_t hl = slash ? (size_t)(slash - hp) : strlen(hp);
  if (hl >= sizeof host) usage();
  memcpy(host, hp, hl);
  host[hl] = 0;
  char *colon = strrchr(host, ':');
  if (colon) { snprintf(port, sizeof port, "%s", colon + 1); *colon = 0; }
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
  if (getaddrinfo(host, port, &hints, &g_addr)) { fprintf(stderr, "cannot resolve %s\n", host); return 2; }

  char *body = NULL;
  size_t blen = 0;
  if (body_file) {
    FILE *f = fopen(body_file, "rb");
    if (!f) die(body_file);
    fseek(f, 0, SEEK_END);
    blen = (size_t)ftell(f);
    rewind(f);
    body = malloc(blen + 1);
    if (fread(body, 1, blen, f) != blen) die("fread");
    fclose(f);
  }
  int has_ct = strcasestr(hdrs, "content-type:") != NULL;
  g_req = malloc(strlen(path) + strlen(host) + strlen(port) + strlen(hdrs) + blen + 256);
  g_req_len = (size_t)sprintf(g_req, "%s %s HTTP/1.1\r\nHost: %s:%s\r\n%s%s", body ? "POST" : "GET", path, host,
                              port, body && !has_ct ? "Content-Type: application/json\r\n" : "", hdrs);
  if (body) {
    g_req_len += (size_t)sprintf(g_req + g_req_len, "Content-Length: %zu\r\n\r\n", blen);
    memcpy(g_req + g_req_len, body, blen);
    g_req_len += blen;
  } else {
    g_req_len += (size_t)sprintf(g_req + g_req_len, "\r\n");
  }

  g_ep = epoll_create1(0);
  if (g_ep < 0) die("epoll_create1");
  conn_t *conns = calloc((size_t)nconn, sizeof *conns);
  int opened = 0;
  for (int i = 0; i < nconn; i++) {
    conns[i].fd = -1;
    if (conn_open(&conns[i]) == 0) opened++;
  }
  struct epoll_event evs[512];
  const uint64_t t0 = now_ns();

  if (!stream) {
    /* idle: optionally one request per connection, then hold. */
    long long answered = 0, closed = 0;
    if (body) {
      for (int i = 0; i < nconn; i++)
        if (conns[i].fd >= 0 && conn_send(&conns[i]) < 0) { g_err_io++; conn_close(&conns[i]); }
      uint64_t deadline = now_ns() + 10000000000ull;
      for (;;) {
        int busy = 0;
        for (int i = 0; i < nconn; i++) busy += conns[i].busy;
        if (!busy || now_ns() > deadline) break;
        int n = epoll_wait(g_ep, evs, 512, 100);
        for (int i = 0; i < n; i++) conn_read(evs[i].data.ptr, 0);
      }
      answered = g_ok;
    }
    int open_now = 0;
    for (int i = 0; i < nconn; i++) open_now += conns[i].fd >= 0;
    printf("READY {\"opened\":%d,\"open\":%d,\"answered\":%lld}\n", opened, open_now, answered);
    fflush(stdout);
    uint64_t end = now_ns() + (uint64_t)(dur * 1e9);
    for (uint64_t t; (t = now_ns()) < end;) {
      int n = epoll_wait(g_ep, evs, 512, (int)((end - t) / 1000000 + 1));
      for (int i = 0; i < n; i++) {
        conn_t *c = evs[i].data.ptr;
        if (c->fd >= 0) { conn_read(c, 0); if (c->fd < 0) closed++; }
      }
    }
    int still = 0;
    for (int i = 0; i < nconn; i++) still += conns[i].fd >= 0;
    printf("{\"tool\":\"connhold\",\"mode\":\"idle\",\"conns\":%d,\"opened\":%d,\"answered\":%lld,"
           "\"closed_by_server\":%lld,\"open_at_end\":%d,\"held_s\":%.1f}\n",
           nconn, opened, answered, closed, still, dur);
    return 0;
  }

  /* stream: staggered first requests, then closed loop per connection until t_end. */
  const uint64_t t_end = t0 + (uint64_t)(dur * 1e9), t_grace = t_end + 10000000000ull;
  for (int i = 0; i < nconn; i++) conns[i].next_send_ns = t0 + (uint64_t)(ramp_ms * 1e6 * i / nconn);
  long long sent = 0;
  for (;;) {
    uint64_t now = now_ns();
    int busy = 0;
    uint64_t wake = now + 50000000ull;
    for (int i = 0; i < nconn; i++) {
      conn_t *c = &conns[i];
      if (c->fd < 0 && now < t_end && c->sent_once) { if (conn_open(c) < 0) { g_err_io++; continue; } }
      if (c->fd >= 0 && !c->busy && now < t_end) {
        if (!c->sent_once && now < c->next_send_ns) {
          if (c->next_send_ns < wake) wake = c->next_send_ns;
        } else if (conn_send(c) < 0) {
          g_err_io++;
          conn_close(c);
        } else {
          sent++;
        }
      }
      busy += c->busy;
    }
    if (now >= t_end && (!busy || now >= t_grace)) break;
    int ms = (int)((wake > now ? wake - now : 0) / 1000000) + 1;
    int n = epoll_wait(g_ep, evs, 512, ms);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      if (c->fd >= 0) conn_read(c, 1);
    }
  }
  long long timeouts = 0;
  for (int i = 0; i < nconn; i++) timeouts += conns[i].busy;
  long long failed = g_err_status + g_err_io + g_err_nodone + timeouts;
  printf("{\"tool\":\"connhold\",\"mode\":\"stream\",\"conns\":%d,\"opened\":%d,\"duration_s\":%.1f,\"sent\":%lld,"
         "\"completed\":%lld,\"failed\":%lld,\"errors\":{\"status\":%lld,\"io\":%lld,\"no_done\":%lld,\"timeout\":%lld},"
         "\"stall_ms\":%.0f,\"stalls\":%lld,",
         nconn, opened, dur, sent, g_ok, failed, g_err_status, g_err_io, g_err_nodone, timeouts, (double)g_stall_ns / 1e6,
         g_stalls);
  print_dist_ms("gap_ms", g_gaps, g_ngaps);
  printf(",");
  print_dist_ms("first_event_ms", g_first, g_nfirst);
  printf("}\n");
  return 0;
}
