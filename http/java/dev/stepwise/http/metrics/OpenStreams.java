package dev.stepwise.http.metrics;

import java.util.concurrent.atomic.AtomicInteger;

/** How many event streams (Server-Sent Events clients) this node serves right now. */
public final class OpenStreams {

  private final AtomicInteger open = new AtomicInteger();

  public void opened() {
    open.incrementAndGet();
  }

  public void closed() {
    open.decrementAndGet();
  }

  public int count() {
    return open.get();
  }
}
