package dev.stepwise.bench;

/**
 * List query latency over HTTP: {@code GET /api/executions} for the newest page, and for a page
 * filtered by job and status, alternately and one at a time after a short warm-up.
 */
final class ListQueries {

  record Result(Samples firstPage, Samples filtered) {}

  static final String FIRST_PAGE = "/api/executions?limit=50";
  static final String FILTERED = "/api/executions?job=" + SummaryRows.job(7)
      + "&status=Failed&limit=50";

  private ListQueries() {}

  static Result measure(ApiClient api, int count) {
    for (int i = 0; i < 10; i++) {
      api.get(FIRST_PAGE).expect(200, "list");
      api.get(FILTERED).expect(200, "filtered list");
    }
    Samples first = new Samples();
    Samples filtered = new Samples();
    for (int i = 0; i < count; i++) {
      first.add(timed(api, FIRST_PAGE));
      filtered.add(timed(api, FILTERED));
    }
    return new Result(first, filtered);
  }

  private static long timed(ApiClient api, String path) {
    long t0 = System.nanoTime();
    api.get(path).expect(200, "GET " + path);
    return System.nanoTime() - t0;
  }
}
