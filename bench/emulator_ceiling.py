"""The emulator's own ceiling: how many cheap reads per second it answers when many clients
ask at once. Each thread keeps one connection and sends sts:GetCallerIdentity (the cheapest
call baseline makes) as a signed-looking request; moto does not check signatures.

    python bench/emulator_ceiling.py http://127.0.0.1:PORT [THREADS] [SECONDS]
"""

import http.client
import sys
import threading
import time
from urllib.parse import urlparse

BODY = "Action=GetCallerIdentity&Version=2011-06-15"
HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sts/"
    "aws4_request, SignedHeaders=host, Signature=0",
}


def worker(host, port, deadline, counts, index):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    done = 0
    while time.monotonic() < deadline:
        conn.request("POST", "/", BODY, HEADERS)
        response = conn.getresponse()
        response.read()
        if response.status == 200:
            done += 1
    counts[index] = done


def main():
    url = urlparse(sys.argv[1])
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
    counts = [0] * threads
    start = time.monotonic()
    deadline = start + seconds
    pool = [threading.Thread(target=worker, args=(url.hostname, url.port, deadline, counts, i))
            for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - start
    print(f"{sum(counts) / elapsed:.0f}")


if __name__ == "__main__":
    main()
