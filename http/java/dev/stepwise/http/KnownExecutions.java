package dev.stepwise.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of executions this node has seen exist: started through it, or found in the journal.
 * An execution never stops existing (retention keeps its snapshot and last event), so a stop of
 * a known id goes straight to the execution instead of first asking the journal's database, a
 * round trip that waits in the same connection pool as every write. The newest
 * {@code capacity} ids are kept; an id that fell out is simply looked up again.
 */
final class KnownExecutions {

  private final Map<String, Boolean> ids;

  KnownExecutions(int capacity) {
    this.ids = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized boolean contains(String id) {
    return ids.get(id) != null;
  }

  synchronized void add(String id) {
    ids.put(id, Boolean.TRUE);
  }
}
