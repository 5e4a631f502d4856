/*
 * Source: ../shared/bench/tools/ratebench.c (reference harness of issue 4), copied so that
 * bench/run-e2e.sh is self-contained. Additions here (search "GI:"):
 *   -e MARKER  also record first_content_us: time until MARKER first appears in the body, i.e.
 *              the first content-bearing SSE event (a role-only preamble does not count).
 *              Responses where it never appears are counted in errors.nocontent.
 *   -x HEADER  also record hdr_us: the response header HEADER parsed as milliseconds (e.g.
 *              X-GammaInfra-Overhead-Ms), as a distribution in microseconds.
 *
 * ratebench: open-loop (fixed arrival rate) HTTP/1.1 load generator with
 * coordinated-omission-free latencies. Built by run.sh (cc -O2); no dependencies.
 *
 *   ratebench -r RATE -d SECONDS [-w WARMUP_S] [-c CONNS] [-b BODY_FILE] [-H 'K: V']... URL
 *   ratebench -n COUNT [-w WARMUP_COUNT] [-b BODY_FILE] [-H 'K: V']... URL     (sequential mode)
 *
 * Request i is *due* at t0 + i/RATE, whatever the server is doing. It goes out on a free
 * keep-alive connection (at most CONNS); if none is free it waits in a client-side queue.
 * Its latency is measured from the time it was due, not from when it was sent, so a server
 * that stalls is charged for every request that piled up behind the stall (the error that
 * closed-loop tools like wrk make: "coordinated omission"). Same idea as wrk2 -R.
 * Sequential mode (-n) sends COUNT requests one after another on one connection (like a loop of
 * curl calls), each timed from its actual send: for time-to-first-token without any load.
 * Per request it records: lat (whole response), ttfb (first response byte, like curl's
 * time_starttransfer) and first_body (first body byte: for SSE, the first event; a gateway that
 * sends headers at once but holds back the body shows up here). send_lag is how late each
 * request left (waiting for a free connection, or the generator itself being descheduled): if
 * its p99 is large while the target is idle, the generator or the machine is the bottleneck.
 * Requests due during the first WARMUP_S seconds are sent but not recorded.
 * Output: one JSON line on stdout. Exit 0 even when the target is saturated; check
 * "unsent" (requests still queued when the run ended) and "achieved_rps".
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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  int busy;            /* a request is in flight */
  int record;          /* in-flight request is past warm-up */
  uint64_t due_ns;     /* when the in-flight request was due */
  uint64_t lag_ns;     /* how late it was sent (client-side queueing + scheduling) */
  uint64_t ttfb_ns;    /* first response byte, 0 = none yet */
  uint64_t body_ns;    /* first body byte, 0 = none yet */
  size_t woff;         /* bytes of the request already written */
  char *buf;           /* response bytes */
  size_t len, cap;
  size_t hdr_end;      /* offset of body start, 0 = headers incomplete */
  long long clen;      /* Content-Length, -1 = chunked/unknown */
  int chunked, close_after, status;
  size_t cpos;         /* chunked parse position */
  uint64_t content_ns; /* GI: first time the -e marker was seen, 0 = not yet */
  size_t mpos;         /* GI: body offset from which to continue the marker search */
  double hdr_val;      /* GI: value of the -x header, < 0 = absent */
} conn_t;

static struct addrinfo *g_addr;
static char *g_req;
static size_t g_req_len;
static int g_ep;
static uint64_t *g_lat, *g_ttfb, *g_body, *g_lag, g_last_done;
static size_t g_nrec, g_caprec;
static long long g_err_status, g_err_io, g_completed;
/* GI: first-content marker and captured header */
static const char *g_marker;
static size_t g_marker_len;
static const char *g_xhdr;
static size_t g_xhdr_len;
static uint64_t *g_content, *g_hdr;
static size_t g_nhdr;
static long long g_err_nocontent;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *m) { perror(m); exit(2); }

static int conn_open(conn_t *c) {
  int fd = socket(g_addr->ai_family, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
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

static void conn_reset(conn_t *c) {
  epoll_ctl(g_ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->fd = -1;
  c->busy = 0;
  if (conn_open(c) < 0) c->fd = -1;
}

static void want_write(conn_t *c, int on) {
  struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
  epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static int conn_flush(conn_t *c) {
  while (c->woff < g_req_len) {
    ssize_t n = write(c->fd, g_req + c->woff, g_req_len - c->woff);
    if (n > 0) { c->woff += (size_t)n; continue; }
    if (n < 0 && errno == EAGAIN) { want_write(c, 1); return 0; }
    return -1;
  }
  return 0;
}

static int conn_send(conn_t *c, uint64_t due, int record) {
  c->busy = 1;
  c->record = record;
  c->due_ns = due;
  c->lag_ns = now_ns() - due;
  c->ttfb_ns = 0;
  c->body_ns = 0;
  c->woff = 0;
  c->len = 0;
  c->hdr_end = 0;
  c->clen = -1;
  c->chunked = c->close_after = c->status = 0;
  c->cpos = 0;
  c->content_ns = 0;
  c->mpos = 0;
  c->hdr_val = -1;
  return conn_flush(c);
}

/* Returns 1 when a whole response is in c->buf, 0 when more bytes are needed, -1 on garbage. */
static int parse(conn_t *c) {
  if (!c->hdr_end) {
    char *e = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!e) return 0;
    c->hdr_end = (size_t)(e - c->buf) + 4;
    if (c->len < 12 || strncmp(c->buf, "HTTP/1.", 7)) return -1;
    c->status = atoi(c->buf + 9);
    for (char *p = c->buf; p < e;) {  /* header lines; the status line matches none of these */
      char *nl = memchr(p, '\n', (size_t)(e + 2 - p)), line[512];
      if (!nl) break;
      size_t m = (size_t)(nl - p) < sizeof line - 1 ? (size_t)(nl - p) : sizeof line - 1;
      memcpy(line, p, m);
      line[m] = 0;
      if (!strncasecmp(line, "content-length:", 15)) c->clen = atoll(line + 15);
      else if (!strncasecmp(line, "transfer-encoding:", 18) && strcasestr(line, "chunked")) c->chunked = 1;
      else if (!strncasecmp(line, "connection:", 11) && strcasestr(line, "close")) c->close_after = 1;
      else if (g_xhdr && !strncasecmp(line, g_xhdr, g_xhdr_len) && line[g_xhdr_len] == ':')
        c->hdr_val = atof(line + g_xhdr_len + 1);
      p = nl + 1;
    }
    c->cpos = c->hdr_end;
    if (c->status == 204 || c->status == 304) c->clen = 0;
  }
  if (c->chunked) {
    for (;;) {
      char *nl = memmem(c->buf + c->cpos, c->len - c->cpos, "\r\n", 2);
      if (!nl) return 0;
      size_t sz = strtoul(c->buf + c->cpos, NULL, 16);
      size_t data = (size_t)(nl - c->buf) + 2;
      if (sz == 0) {  /* last chunk; no trailers expected */
        return memmem(c->buf + data - 2, c->len - (data - 2), "\r\n\r\n", 4) ? 1 : 0;
      }
      if (c->len < data + sz + 2) return 0;
      c->cpos = data + sz + 2;
    }
  }
  if (c->clen >= 0) return c->len >= c->hdr_end + (size_t)c->clen ? 1 : 0;
  c->close_after = 1;  /* body ends at EOF */
  return 0;
}

static void record(conn_t *c, uint64_t t) {
  g_completed++;
  if (c->status < 200 || c->status > 399) g_err_status++;
  if (!c->record) return;
  if (g_nrec == g_caprec) {
    g_caprec = g_caprec ? g_caprec * 2 : 1 << 16;
    g_lat = realloc(g_lat, g_caprec * sizeof *g_lat);
    g_ttfb = realloc(g_ttfb, g_caprec * sizeof *g_ttfb);
    g_lag = realloc(g_lag, g_caprec * sizeof *g_lag);
    g_body = realloc(g_body, g_caprec * sizeof *g_body);
    g_content = realloc(g_content, g_caprec * sizeof *g_content);
    g_hdr = realloc(g_hdr, g_caprec * sizeof *g_hdr);
    if (!g_lat || !g_ttfb || !g_lag || !g_body || !g_content || !g_hdr) die("realloc");
  }
  g_lat[g_nrec] = t - c->due_ns;
  g_ttfb[g_nrec] = (c->ttfb_ns ? c->ttfb_ns : t) - c->due_ns;
  g_lag[g_nrec] = c->lag_ns;
  g_body[g_nrec] = (c->body_ns ? c->body_ns : t) - c->due_ns;
  if (g_marker && !c->content_ns) g_err_nocontent++;
  g_content[g_nrec] = (c->content_ns ? c->content_ns : t) - c->due_ns;
  if (c->hdr_val >= 0) g_hdr[g_nhdr++] = (uint64_t)(c->hdr_val * 1e6);  /* ms -> ns */
  g_last_done = t;
  g_nrec++;
}

/* Reads what is there; returns 1 if the in-flight response completed (conn is free again). */
static int conn_read(conn_t *c) {
  for (;;) {
    if (c->cap - c->len < 16384) {
      c->cap = c->cap ? c->cap * 2 : 65536;
      if (!(c->buf = realloc(c->buf, c->cap))) die("realloc");
    }
    ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
    if (n > 0) {
      if (!c->ttfb_ns) c->ttfb_ns = now_ns();
      c->len += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EAGAIN) break;
    /* EOF or error */
    if (c->busy && c->hdr_end && c->close_after && c->clen < 0 && !c->chunked) {
      record(c, now_ns());
    } else if (c->busy) {
      g_err_io++;
    }
    conn_reset(c);
    return 1;
  }
  if (!c->busy) return 0;
  uint64_t t = now_ns();
  int r = parse(c);
  if (c->hdr_end && !c->body_ns && c->len > c->hdr_end) c->body_ns = t;
  if (g_marker && c->hdr_end && !c->content_ns && c->len > c->hdr_end) {  /* GI: first content */
    size_t from = c->hdr_end + c->mpos;
    if (memmem(c->buf + from, c->len - from, g_marker, g_marker_len)) c->content_ns = t;
    else if (c->len - c->hdr_end >= g_marker_len) c->mpos = c->len - c->hdr_end - g_marker_len + 1;
  }
  if (r == 0) return 0;
  if (r < 0) { g_err_io++; conn_reset(c); return 1; }
  record(c, t);
  c->busy = 0;
  if (c->close_after) conn_reset(c);
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
  return (double)v[i - 1] / 1000.0;
}

static void print_dist(const char *name, uint64_t *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_u64);
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += (double)v[i];
  printf("\"%s\":{\"mean\":%.1f,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f}", name,
         n ? sum / (double)n / 1000.0 : 0.0, pct(v, n, 50), pct(v, n, 90), pct(v, n, 99), pct(v, n, 99.9),
         n ? (double)v[n - 1] / 1000.0 : 0.0);
}

static void usage(void) {
  fprintf(stderr, "usage: ratebench -r RATE -d SECONDS [-w WARMUP_S] [-c CONNS] [-b BODY_FILE] [-H 'K: V']... [-e MARKER] [-x HEADER] http://host:port/path\n"
                  "       ratebench -n COUNT [-w WARMUP_COUNT] [-b BODY_FILE] [-H 'K: V']... [-e MARKER] [-x HEADER] http://host:port/path\n");
  exit(2);
}

int main(int argc, char **argv) {
  double rate = 0, dur = 0, warm = 0;
  int nconn = 64, opt;
  long nseq = 0;  /* > 0: sequential mode */
  const char *body_file = NULL;
  char hdrs[8192] = "";
  while ((opt = getopt(argc, argv, "r:d:w:c:b:H:n:e:x:")) != -1) {
    switch (opt) {
      case 'e': g_marker = optarg; g_marker_len = strlen(optarg); break;
      case 'x': g_xhdr = optarg; g_xhdr_len = strlen(optarg); break;
      case 'n': nseq = atol(optarg); break;
      case 'r': rate = atof(optarg); break;
      case 'd': dur = atof(optarg); break;
      case 'w': warm = atof(optarg); break;
      case 'c': nconn = atoi(optarg); break;
      case 'b': body_file = optarg; break;
      case 'H':
        if (strlen(hdrs) + strlen(optarg) + 3 >= sizeof hdrs) usage();
        strcat(hdrs, optarg);
        strcat(hdrs, "\r\n");
        break;
      default: usage();
    }
  }
  if (nseq > 0) nconn = 1, rate = 1, dur = 1;  /* rate/dur unused in sequential mode */
  if (optind != argc - 1 || rate <= 0 || dur <= 0 || nconn < 1 || nseq < 0) usage();
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_TIMERSLACK, 1UL);  /* wake up on time, not up to 50 us late */

  /* URL: http://host[:port][/path] */
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
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  if (g_ep < 0 || tfd < 0) die("epoll/timerfd");
  struct epoll_event tev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(g_ep, EPOLL_CTL_ADD, tfd, &tev);

  conn_t *conns = calloc((size_t)nconn, sizeof *conns);
  for (int i = 0; i < nconn; i++)
    if (conn_open(&conns[i]) < 0) { fprintf(stderr, "connect %s:%s: %s\n", host, port, strerror(errno)); return 2; }

  const uint64_t period = (uint64_t)(1e9 / rate);
  const uint64_t t0 = now_ns() + 10000000ull;  /* start 10 ms from now */
  const uint64_t t_warm = t0 + (uint64_t)(warm * 1e9), t_end = t0 + (uint64_t)((warm + dur) * 1e9);
  const uint64_t t_grace = t_end + 5000000000ull;  /* wait at most 5 s for stragglers */
  const uint64_t wseq = (uint64_t)warm, total_seq = (uint64_t)nseq + wseq;
  uint64_t next = 0;  /* index of the next request to send */
  long long sent = 0;
  int free_hint = 0;
  struct epoll_event evs[256];

  for (;;) {
    uint64_t now = now_ns();
    /* Send every request that is due, while a connection is free. */
    while (nseq ? next < total_seq : t0 + next * period <= now && t0 + next * period < t_end) {
      conn_t *c = NULL;
      for (int k = 0; k < nconn; k++) {
        conn_t *x = &conns[(free_hint + k) % nconn];
        if (!x->busy && x->fd >= 0) { c = x; free_hint = (free_hint + k + 1) % nconn; break; }
      }
      if (!c) break;  /* all busy: the due request waits; its clock is already running */
      uint64_t due = nseq ? now_ns() : t0 + next * period;
      if (conn_send(c, due, nseq ? next >= wseq : due >= t_warm) < 0) { g_err_io++; conn_reset(c); }
      next++;
      sent++;
    }
    int inflight = 0;
    for (int k = 0; k < nconn; k++) inflight += conns[k].busy;
    if (nseq) {  /* sequential: done when all were sent and answered, or one hangs for 10 s */
      if (next >= total_seq && !inflight) break;
      if (inflight && now > conns[0].due_ns && now - conns[0].due_ns > 10000000000ull) break;
      if (conns[0].fd < 0) break;
    } else if (now >= t_end && (!inflight || now >= t_grace)) break;

    /* Sleep until the next request is due if a connection is free to send it; otherwise
       until a response frees one (socket event) or the run ends. */
    int nfree = 0;
    for (int k = 0; k < nconn; k++) nfree += !conns[k].busy && conns[k].fd >= 0;
    uint64_t wake = t0 + next * period;
    if (wake >= t_end || !nfree) wake = now < t_end ? t_end : t_grace;
    if (nseq) wake = now + 1000000000ull;
    struct itimerspec its = {.it_value = {.tv_sec = (time_t)(wake / 1000000000ull), .tv_nsec = (long)(wake % 1000000000ull)}};
    timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
    int n = epoll_wait(g_ep, evs, 256, -1);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      if (!c) { uint64_t x; while (read(tfd, &x, sizeof x) > 0) {} continue; }
      if (c->fd < 0) continue;
      if (evs[i].events & EPOLLOUT) {
        if (conn_flush(c) < 0) { g_err_io++; conn_reset(c); continue; }
        if (c->woff == g_req_len) want_write(c, 0);
      }
      if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) conn_read(c);
    }
  }

  long long timeouts = 0;
  for (int k = 0; k < nconn; k++) timeouts += conns[k].busy;
  uint64_t total_due = nseq ? total_seq : (t_end - t0 + period - 1) / period;
  long long unsent = (long long)total_due - sent;
  /* completions per second from the end of warm-up to the last recorded completion */
  double achieved = g_nrec && g_last_done > t_warm ? (double)g_nrec / ((double)(g_last_done - t_warm) / 1e9) : 0;
  if (nseq) rate = dur = achieved = 0;
  printf("{\"tool\":\"ratebench\",\"mode\":\"%s\",\"target_rps\":%.1f,\"duration_s\":%.1f,\"warmup\":%.1f,\"conns\":%d,"
         "\"sent\":%lld,\"completed\":%lld,\"recorded\":%zu,\"achieved_rps\":%.1f,"
         "\"errors\":{\"status\":%lld,\"io\":%lld,\"timeout\":%lld,\"unsent\":%lld,\"nocontent\":%lld},",
         nseq ? "sequential" : "rate", rate, dur, warm, nconn, sent, g_completed, g_nrec, achieved, g_err_status, g_err_io, timeouts, unsent,
         g_err_nocontent);
  print_dist("lat_us", g_lat, g_nrec);
  printf(",");
  print_dist("ttfb_us", g_ttfb, g_nrec);
  printf(",");
  print_dist("first_body_us", g_body, g_nrec);
  printf(",");
  print_dist("send_lag_us", g_lag, g_nrec);
  if (g_marker) { printf(","); print_dist("first_content_us", g_content, g_nrec); }
  if (g_xhdr) { printf(",\"hdr_n\":%zu,", g_nhdr); print_dist("hdr_us", g_hdr, g_nhdr); }
  printf("}\n");
  return 0;
}
