package dev.stepwise.bench;

import dev.stepwise.testing.Gates;
import java.util.concurrent.TimeUnit;

/**
 * Graceful-stop latency: from the moment the running step ends to the moment the node shows the
 * execution {@code Cancelled}. The step is a gate the benchmark opens itself, so the step's end
 * is known to the nanosecond; the end is then read by polling {@code GET /api/executions/{id}},
 * which answers only from persisted state. (The events' own {@code at} stamps cannot measure this:
 * StepSucceeded and ExecutionCancelled are journaled in one write with the same instant.)
 */
final class GracefulStops {

  static final String GATE_TYPE = "gate";
  static final String JOB_JSON = "{\"steps\":[{\"name\":\"hold\",\"type\":\"gate\"}]}";

  private GracefulStops() {}

  static Samples measure(ApiClient api, Gates gates, String job, int count) {
    Samples samples = new Samples();
    for (int i = 0; i < count; i++) {
      String id = api.start(job);
      Gates.Gate gate = gates.await(id, "hold", 1);
      String status = api.stop(id, false).expect(202, "graceful stop").json().path("status")
          .asText();
      if (!"Cancelling".equals(status)) {
        throw new IllegalStateException("a graceful stop of a running step answered " + status);
      }
      long t0 = System.nanoTime();
      gate.pass();
      long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
      while (!"Cancelled".equals(api.status(id))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(id + " was not Cancelled 60 s after its step ended");
        }
      }
      samples.add(System.nanoTime() - t0);
    }
    return samples;
  }
}
