package dev.stepwise.persistence.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.engine.execution.LegacyStateSnapshot;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads a snapshot of the time when snapshots held the entity's state record (each was
 * {@code {"execution": ...}}) as a {@link LegacyStateSnapshot}, whatever record it was: the state
 * types have changed since, and the entity derives its state from the execution alone.
 */
public final class LegacyStateSnapshotMigration extends JacksonMigration {

  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    return LegacyStateSnapshot.class.getName();
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
