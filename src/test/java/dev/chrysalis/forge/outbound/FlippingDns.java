package dev.chrysalis.forge.outbound;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny authoritative DNS server on UDP loopback, for tests: A queries for a name it knows get
 * the address set for that name now (TTL 0), AAAA queries get no records, other names NXDOMAIN.
 * {@link #answer} changes the address between calls, as a rebinding attacker's server would.
 */
final class FlippingDns implements AutoCloseable {

  private final DatagramSocket socket;
  private final Map<String, byte[]> addresses = new ConcurrentHashMap<>();
  private final AtomicInteger queries = new AtomicInteger();

  private FlippingDns(DatagramSocket socket) {
    this.socket = socket;
  }

  static FlippingDns start(Vertx vertx) throws Exception {
    DatagramSocket socket = vertx.createDatagramSocket();
    FlippingDns dns = new FlippingDns(socket);
    socket.handler(packet -> {
      Buffer reply = dns.reply(packet.data());
      if (reply != null) {
        socket.send(reply, packet.sender().port(), packet.sender().host());
      }
    });
    socket.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return dns;
  }

  int port() {
    return socket.localAddress().port();
  }

  String server() {
    return "127.0.0.1:" + port();
  }

  void answer(String name, String ipv4) throws Exception {
    addresses.put(name.toLowerCase(java.util.Locale.ROOT), InetAddress.getByName(ipv4).getAddress());
  }

  int queries() {
    return queries.get();
  }

  private Buffer reply(Buffer q) {
    if (q.length() < 12) {
      return null;
    }
    queries.incrementAndGet();
    int pos = 12;
    StringBuilder name = new StringBuilder();
    while (pos < q.length()) {
      int len = q.getUnsignedByte(pos++);
      if (len == 0) {
        break;
      }
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(q.getString(pos, pos + len, "US-ASCII"));
      pos += len;
    }
    int qtype = q.getUnsignedShort(pos);
    int questionEnd = pos + 4;
    byte[] address = addresses.get(name.toString().toLowerCase(java.util.Locale.ROOT));
    Buffer out = Buffer.buffer();
    out.appendShort(q.getShort(0));                        // id
    int rd = q.getUnsignedByte(2) & 0x01;
    out.appendUnsignedByte((short) (0x84 | rd));           // QR, AA, RD copied
    out.appendUnsignedByte((short) (address == null ? 0x03 : 0x00)); // NXDOMAIN or NOERROR
    out.appendShort((short) 1);                            // QDCOUNT
    boolean a = address != null && qtype == 1;
    out.appendShort((short) (a ? 1 : 0));                  // ANCOUNT
    out.appendShort((short) 0).appendShort((short) 0);     // NSCOUNT, ARCOUNT
    out.appendBuffer(q.getBuffer(12, questionEnd));
    if (a) {
      out.appendShort((short) 0xC00C);                     // pointer to the question's name
      out.appendShort((short) 1).appendShort((short) 1);   // A, IN
      out.appendInt(0);                                    // TTL 0: nobody may cache it
      out.appendShort((short) 4).appendBytes(address);
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    socket.close().await(10, TimeUnit.SECONDS);
  }
}
