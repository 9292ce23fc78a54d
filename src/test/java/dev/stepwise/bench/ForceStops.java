package dev.stepwise.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Force-stop latency over HTTP: one run at a time is started and, once its step runs, stopped with
 * {@code POST /api/executions/{id}/stop?force=true}. The node answers only once the step's work is
 * dead and {@code Cancelled} is journaled, so the call's duration is the latency. Each answer is
 * checked to say {@code Cancelled}, and for shell steps the step's process is checked to be gone.
 */
final class ForceStops {

  /**
   * Latencies to the answer, to the step's process being dead (shell steps only; else empty),
   * and stops whose answer or aftermath broke the promise (should both be 0).
   */
  record Result(Samples latencies, Samples workDead, int notCancelled, int workAlive) {}

  static final String SLEEP_JOB_JSON =
      "{\"steps\":[{\"name\":\"hold\",\"type\":\"sleep\",\"seconds\":3600}]}";

  private ForceStops() {}

  /** The shell job: its step writes its pid into {@code pids}, then becomes a long sleep. */
  static String shellJobJson(Path pids) {
    return "{\"steps\":[{\"name\":\"hold\",\"type\":\"shell\",\"command\":[\"bash\",\"-c\","
        + "\": > \\\"$PIDS/$$\\\"; exec sleep 3600\"],\"env\":{\"PIDS\":\"" + pids + "\"}}]}";
  }

  /** Sleep steps: the node spawns the step before it answers the start, so it runs by then. */
  static Result sleepSteps(ApiClient api, String job, int count) {
    Samples samples = new Samples();
    int notCancelled = 0;
    for (int i = 0; i < count; i++) {
      String id = api.start(job);
      long t0 = System.nanoTime();
      ApiClient.Answer answer = api.stop(id, true);
      samples.add(System.nanoTime() - t0);
      if (!cancelled(answer)) {
        notCancelled++;
      }
    }
    return new Result(samples, new Samples(), notCancelled, 0);
  }

  /** Shell steps: each stop waits until the step's process has written its pid. */
  static Result shellSteps(ApiClient api, String job, Path pids, int count) {
    Samples samples = new Samples();
    Samples dead = new Samples();
    int notCancelled = 0;
    int alive = 0;
    for (int i = 0; i < count; i++) {
      String id = api.start(job);
      long pid = awaitPid(pids);
      long t0 = System.nanoTime();
      Thread watcher = new Thread(() -> {
        while (running(pid) && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30)) {
          Thread.onSpinWait();
        }
        dead.add(System.nanoTime() - t0);
      }, "bench-work-dead");
      watcher.start();
      ApiClient.Answer answer = api.stop(id, true);
      samples.add(System.nanoTime() - t0);
      try {
        watcher.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (!cancelled(answer)) {
        notCancelled++;
      }
      if (running(pid)) {
        alive++;
      }
      try {
        Files.deleteIfExists(pids.resolve(Long.toString(pid)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new Result(samples, dead, notCancelled, alive);
  }

  private static boolean cancelled(ApiClient.Answer answer) {
    if (answer.status() != 202) {
      return false;
    }
    JsonNode view = answer.json();
    return "Cancelled".equals(view.path("status").asText());
  }

  private static long awaitPid(Path pids) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Stream<Path> files = Files.list(pids)) {
        var first = files.findFirst();
        if (first.isPresent()) {
          return Long.parseLong(first.get().getFileName().toString());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("the shell step did not start within 60 s");
  }

  /** Whether the process still runs (a zombie, dead but not yet reaped, does not). */
  static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }
}
