package dev.stepwise.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Server-Sent Events delivery latency: a client follows {@code GET /api/events?job=}, runs of a
 * job that sleeps start one by one at random gaps, and each run's {@code StepStarted} is timed
 * from the start call's 202 (the node answers after journaling it, so the event was journaled
 * by then) to its arrival on the stream. Measured from the answer, the figure errs low by at most
 * the answer's own trip back over loopback.
 */
final class SseDelivery {

  private SseDelivery() {}

  static Samples measure(ApiClient api, JournalCounter counter, String job, int count)
      throws InterruptedException {
    Map<String, Long> arrived = new ConcurrentHashMap<>();
    Map<String, Long> journaled = new ConcurrentHashMap<>();
    List<String> ids = new ArrayList<>();
    Random random = new Random(42);
    try (EventFeed feed = new EventFeed(api, "?job=" + job, counter.maxOrdering(), event -> {
      if ("StepStarted".equals(event.type())) {
        arrived.putIfAbsent(event.executionId(), event.arrivedNanos());
      }
    })) {
      feed.awaitConnected();
      for (int i = 0; i < count; i++) {
        String id = api.start(job);
        journaled.put(id, System.nanoTime());
        ids.add(id);
        // random gaps, so that starts fall anywhere in the node's polling cycle
        Thread.sleep(10 + random.nextInt(50));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!arrived.keySet().containsAll(ids) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    Samples samples = new Samples();
    for (String id : ids) {
      Long at = arrived.get(id);
      if (at == null) {
        throw new IllegalStateException("the event stream never delivered the start of " + id);
      }
      samples.add(Math.max(0, at - journaled.get(id)));
    }
    api.stopAll(ids);
    return samples;
  }
}
