# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""A real TLS server on 127.0.0.1 (Python's ssl module) serving one certificate, optionally demanding a client
certificate, in a thread; used as a context manager so it always stops."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import ssl
import threading


class TlsServer:
    def __init__(self, cert, key, client_ca=None):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(str(cert), str(key))
        if client_ca:
            self.context.verify_mode = ssl.CERT_REQUIRED
            self.context.load_verify_locations(cafile=str(client_ca))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.peers = []
        self.errors = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(5)
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    peer = tls.getpeercert()
                    self.peers.append(dict(x[0] for x in peer["subject"]) if peer else None)
                    tls.sendall(b"ok\n")
                    try:
                        tls.unwrap()  # a clean close_notify, so openssl s_client exits 0
                    except (ssl.SSLError, OSError):
                        pass
            except (ssl.SSLError, OSError) as exc:
                self.errors.append(str(exc))
                conn.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()
        return False
