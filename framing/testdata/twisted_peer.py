"""A Twisted peer for braid's framing interop tests.

usage: twisted_peer.py serve-lines|serve-netstrings
       twisted_peer.py client-lines|client-netstrings PORT MSG...

Servers listen on 127.0.0.1 on a free port, print "PORT n", and answer each
line or netstring with "echo:" + it. Clients send each MSG, print the
repr of every answer, and exit after as many answers as messages. Both stop
by themselves after 20 seconds.
"""
import sys

from twisted.internet import protocol, reactor
from twisted.protocols.basic import LineReceiver, NetstringReceiver


class LineEcho(LineReceiver):
    delimiter = b"\r\n"
    MAX_LENGTH = 16384

    def lineReceived(self, line):
        self.sendLine(b"echo:" + line)


class NetstringEcho(NetstringReceiver):
    def stringReceived(self, s):
        self.sendString(b"echo:" + s)


class Client:
    def connectionMade(self):
        self.got = 0
        for m in self.factory.msgs:
            self.send(m)

    def received(self, data):
        print(repr(data), flush=True)
        self.got += 1
        if self.got == len(self.factory.msgs):
            self.transport.loseConnection()
            reactor.stop()


class LineClient(Client, LineReceiver):
    delimiter = b"\r\n"

    def send(self, m):
        self.sendLine(m)

    def lineReceived(self, line):
        self.received(line)


class NetstringClient(Client, NetstringReceiver):
    def send(self, m):
        self.sendString(m)

    def stringReceived(self, s):
        self.received(s)


def main():
    mode = sys.argv[1]
    reactor.callLater(20, reactor.stop)
    if mode.startswith("serve-"):
        f = protocol.Factory.forProtocol(LineEcho if mode == "serve-lines" else NetstringEcho)
        port = reactor.listenTCP(0, f, interface="127.0.0.1")
        print("PORT", port.getHost().port, flush=True)
    else:
        f = protocol.ClientFactory.forProtocol(LineClient if mode == "client-lines" else NetstringClient)
        f.msgs = [m.encode().decode("unicode_escape").encode("latin-1") for m in sys.argv[3:]]
        f.clientConnectionFailed = lambda c, r: (print("FAILED", r, flush=True), reactor.stop())
        reactor.connectTCP("127.0.0.1", int(sys.argv[2]), f)
    reactor.run()


main()
