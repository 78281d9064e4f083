/*
 * TCP echo load generator shared by every server the benchmarks measure.
 *
 * Usage: loadgen PORT CONNECTIONS SIZE SECONDS
 *
 * Opens CONNECTIONS connections to 127.0.0.1:PORT.  Each connection sends a
 * SIZE-byte message (SIZE-1 bytes of 'x' and a newline, so line servers can
 * echo it too), waits until SIZE bytes have come back, and sends again.
 * After SECONDS the connections stop sending, finish the round trip in
 * flight, and close.  One JSON object goes to stdout: the number of
 * completed round trips, the wall time of the measured phase, and the CPU
 * time this process used in it, so the harness can tell when the client and
 * not the server was the bottleneck.
 *
 * It is written in C with epoll so that one client process can keep 64
 * connections busy while spending far less CPU per round trip than any
 * Python server under test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;
    size_t sent;     /* bytes of the current message written so far */
    size_t received; /* bytes of the current echo read so far */
    int done;        /* 1 once the connection has stopped sending */
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what) {
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(2);
}

/* Write as much of the message as the socket takes; 1 when all of it is out. */
static int push(struct conn *c, const char *msg, size_t size) {
    while (c->sent < size) {
        ssize_t k = send(c->fd, msg + c->sent, size - c->sent, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
            if (errno == EINTR) continue;
            die("send");
        }
        c->sent += (size_t)k;
    }
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: loadgen PORT CONNECTIONS SIZE SECONDS\n");
        return 2;
    }
    int port = atoi(argv[1]);
    int nconn = atoi(argv[2]);
    size_t size = (size_t)atol(argv[3]);
    double seconds = atof(argv[4]);
    if (port <= 0 || nconn <= 0 || size == 0 || seconds <= 0) {
        fprintf(stderr, "loadgen: bad arguments\n");
        return 2;
    }

    char *msg = malloc(size);
    char *sink = malloc(65536);
    struct conn *conns = calloc((size_t)nconn, sizeof *conns);
    struct epoll_event *events = calloc((size_t)nconn, sizeof *events);
    if (!msg || !sink || !conns || !events) die("malloc");
    memset(msg, 'x', size);
    msg[size - 1] = '\n';

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    for (int i = 0; i < nconn; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) die("socket");
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        /* Blocking connect (simplest), then non-blocking for the exchange. */
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
        conns[i].fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
    }

    double cpu0 = cpu_seconds();
    double start = now();
    double deadline = start + seconds;
    long round_trips = 0;
    int active = nconn;
    for (int i = 0; i < nconn; i++) {
        if (!push(&conns[i], msg, size)) {
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = &conns[i]};
            epoll_ctl(ep, EPOLL_CTL_MOD, conns[i].fd, &ev);
        }
    }
    while (active > 0) {
        int n = epoll_wait(ep, events, nconn, 10000);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        if (n == 0) {
            fprintf(stderr, "loadgen: no progress for 10 s\n");
            return 3;
        }
        for (int e = 0; e < n; e++) {
            struct conn *c = events[e].data.ptr;
            if (c->done) continue;
            if (events[e].events & EPOLLOUT) {
                if (push(c, msg, size)) {
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            for (;;) {
                size_t want = size - c->received;
                ssize_t k = recv(c->fd, sink, want < 65536 ? want : 65536, 0);
                if (k < 0) {
                    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                    if (errno == EINTR) continue;
                    die("recv");
                }
                if (k == 0) {
                    fprintf(stderr, "loadgen: the server closed a connection early\n");
                    return 3;
                }
                c->received += (size_t)k;
                if (c->received < size) continue;
                /* A full echo came back: one round trip. */
                round_trips++;
                c->received = 0;
                c->sent = 0;
                if (now() >= deadline) {
                    c->done = 1;
                    active--;
                    break;
                }
                if (!push(c, msg, size)) {
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
                break;
            }
        }
    }
    double elapsed = now() - start;
    double cpu = cpu_seconds() - cpu0;
    for (int i = 0; i < nconn; i++) close(conns[i].fd);
    printf("{\"round_trips\": %ld, \"elapsed\": %.6f, \"cpu\": %.6f, \"client\": \"c\"}\n",
           round_trips, elapsed, cpu);
    return 0;
}
