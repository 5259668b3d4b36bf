"""Serves N fake exporters on loopback ports, each exposing SERIES counters (node_exporter-like text).

Usage: python3 targets.py N SERIES PORTFILE  -- writes the ports, one per line, to PORTFILE, then serves
until killed. Values change on every request so every scrape ingests new samples.
By default the exporters answer in HTTP/1.0 and close the connection after each response, so every scrape
opens a new TCP connection; with KEEPALIVE=1 they answer in HTTP/1.1 and keep connections open, as Go
exporters (node_exporter, client_golang) do.
"""
import http.server
import os
import socketserver
import sys
import threading
import time

n, series, portfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def page():
    t = time.time()
    lines = ["# HELP app_requests_total Requests.", "# TYPE app_requests_total counter"]
    for i in range(series):
        lines.append('app_requests_total{handler="/h%d",code="%d",method="GET"} %d' % (i // 5, 200 + i % 5, int(t) + i))
    return ("\n".join(lines) + "\n").encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1" if os.environ.get("KEEPALIVE") == "1" else "HTTP/1.0"

    def do_GET(self):
        body = page()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


servers = [Server(("127.0.0.1", 0), Handler) for _ in range(n)]
with open(portfile, "w") as f:
    f.write("\n".join(str(s.server_address[1]) for s in servers) + "\n")
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
while True:
    time.sleep(3600)
