package dev.stepwise.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as written: for requests the JDK client will not
 * send (broken framing, forbidden or oversized headers, bad request lines), for streams held
 * open by hand, and for clients that write slowly.
 */
final class RawHttp implements AutoCloseable {

  /** A response as read off the wire; header names in lower case. */
  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
      return status + " " + headers.getOrDefault("content-type", "") + " " + body;
    }
  }

  static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttp(int port) {
    try {
      socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new AssertionError("could not connect to port " + port, e);
    }
  }

  /** Sends {@code request} on a fresh connection and reads the answer to the end. */
  static Response exchange(int port, byte[] request) {
    try (RawHttp http = new RawHttp(port)) {
      http.writeQuietly(request);
      return http.readResponse();
    }
  }

  static Response exchange(int port, String request) {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * Writes what it can: a server may answer and close before it has read a request it refuses,
   * which is fine, since the answer is what a test looks at.
   */
  void writeQuietly(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      // the server stopped reading; its answer, if any, is still there to read
    }
  }

  void write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /**
   * Reads a status line and headers, then the body: all of it (by Content-Length, chunks or
   * until the server closes), except for an event stream, which stays open to be read on.
   */
  Response readResponse() {
    try {
      String statusLine = readLine();
      if (statusLine == null) {
        throw new AssertionError("the server closed the connection without answering");
      }
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).strip());
      }
      String body = "";
      if (!headers.getOrDefault("content-type", "").startsWith("text/event-stream")) {
        body = new String(readBody(headers), StandardCharsets.UTF_8);
      }
      return new Response(status, headers, body);
    } catch (IOException e) {
      throw new AssertionError("could not read the answer", e);
    }
  }

  private byte[] readBody(Map<String, String> headers) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = headers.get("content-length");
    if (length != null) {
      body.write(in.readNBytes(Integer.parseInt(length)));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (int size = chunkSize(); size > 0; size = chunkSize()) {
        body.write(in.readNBytes(size));
        readLine();
      }
    } else {
      body.write(in.readAllBytes());
    }
    return body.toByteArray();
  }

  private int chunkSize() throws IOException {
    String line = readLine();
    return line == null ? 0 : Integer.parseInt(line.split(";")[0].strip(), 16);
  }

  /** A line without its CRLF; null at the end of the stream. */
  String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1
            : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
  }

  /**
   * Whether the server has closed the connection: a read returns end of stream or fails with a
   * reset, rather than waiting; skips whatever the server still sends before closing.
   */
  boolean closedByServer(Duration wait) {
    try {
      socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
      byte[] buffer = new byte[8192];
      while (in.read(buffer) != -1) {
        // data before the close (a heartbeat, an error answer): keep reading
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    } finally {
      try {
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
      } catch (IOException e) {
        // closed meanwhile
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
