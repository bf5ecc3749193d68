#!/usr/bin/env python3
# Userspace link emulator for bench/quic-hol (this kernel has no sch_netem): two TUN devices,
# moved into the namespaces by netns.ts, joined by this process, which delays every IP packet by
# --delay ms and drops --loss % of them at random, independently in each direction.
# Usage: linkemu.py <tun-a> <tun-b> --delay 25 --loss 2 [--seed N]; prints "ready" when both
# devices exist; runs until killed.
import argparse, fcntl, heapq, os, random, select, struct, sys, time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

def open_tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    return fd

def main():
    p = argparse.ArgumentParser()
    p.add_argument('a'); p.add_argument('b')
    p.add_argument('--delay', type=float, default=25.0)
    p.add_argument('--loss', type=float, default=0.0)
    p.add_argument('--seed', type=int, default=None)
    o = p.parse_args()
    rnd = random.Random(o.seed)
    fa, fb = open_tun(o.a), open_tun(o.b)
    peer = {fa: fb, fb: fa}
    delay = o.delay / 1000.0
    loss = o.loss / 100.0
    queue = []  # (due, seq, fd, packet)
    seq = 0
    stats = {'fwd': 0, 'drop': 0}
    print('ready', flush=True)
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
        r, _, _ = select.select([fa, fb], [], [], timeout)
        now = time.monotonic()
        for fd in r:
            for _ in range(256):
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if loss and rnd.random() < loss:
                    stats['drop'] += 1
                    continue
                seq += 1
                heapq.heappush(queue, (now + delay, seq, peer[fd], pkt))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, fd, pkt = heapq.heappop(queue)
            try:
                os.write(fd, pkt)
                stats['fwd'] += 1
            except OSError:
                pass

if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
