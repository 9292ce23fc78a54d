package dev.stepwise.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback port nothing listens on, for a node a test starts in another process. Taken from
 * below the kernel's ephemeral range (32768 and up by default): a port the kernel handed out as
 * free can be taken by any outgoing connection before the node binds it, which once made a node
 * fail to start with "address already in use".
 */
public final class FreePort {

  private static final int LOW = 20_000;
  private static final int HIGH = 32_000;
  /** Where this JVM starts looking, so that two test JVMs rarely try the same ports. */
  private static final AtomicInteger NEXT =
      new AtomicInteger((int) (ProcessHandle.current().pid() * 7919 % (HIGH - LOW)));

  private FreePort() {}

  public static int next() {
    for (int tried = 0; tried < HIGH - LOW; tried++) {
      int port = LOW + Math.floorMod(NEXT.getAndIncrement(), HIGH - LOW);
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException taken) {
        // in use: try the next one
      }
    }
    throw new UncheckedIOException(new IOException(
        "no free loopback port between " + LOW + " and " + HIGH));
  }
}
