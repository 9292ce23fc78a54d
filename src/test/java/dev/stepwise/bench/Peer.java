package dev.stepwise.bench;

/**
 * A job scheduler a user might pick instead of Stepwise, run in this JVM on its own database of
 * the same PostgreSQL, driven through its own fastest public API.
 */
interface Peer extends AutoCloseable {

  /** Name and version, as the table prints them. */
  String name();

  /** How it is driven, for the table's label (the API, bulk or one by one, its settings). */
  String how();

  /** Threads that enqueue at once: 1 for a bulk API, a client pool's worth otherwise. */
  int clients();

  /** Most runs one enqueue call takes. */
  int maxBatch();

  /** Enqueues {@code count} jobs whose body is {@link PeerWork#run(int)}; returns once stored. */
  void enqueue(int count, int steps) throws Exception;

  /**
   * Cancel latency: starts one {@link PeerWork#held()} job at a time and, once its body runs,
   * cancels it the peer's way; each sample is from the cancel call to the body seeing it. Null
   * when the peer cannot cancel a running job.
   */
  Samples cancelLatencies(int count) throws Exception;

  @Override
  void close();
}
