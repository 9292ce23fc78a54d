package dev.stepwise.persistence.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Schema history of {@code StepStarted}. Version 2 added the step's name ({@code step}), so that
 * read sides and the event stream can show it without the job definition; events of version 1
 * read with no name.
 */
public final class StepStartedMigration extends JacksonMigration {

  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    if (fromVersion < 2 && json instanceof ObjectNode object && !object.has("step")) {
      object.putNull("step");
    }
    return json;
  }
}
