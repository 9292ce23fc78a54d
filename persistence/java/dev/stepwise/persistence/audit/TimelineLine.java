package dev.stepwise.persistence.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stepwise.persistence.ExecutionJournal;

/** One event of a timeline, as a person reads it: {@code seq  at  type  field=value ...}. */
public final class TimelineLine {

  private TimelineLine() {}

  public static String of(ExecutionJournal.Entry entry) {
    ObjectNode fields = AuditRecord.JSON.valueToTree(entry.event());
    StringBuilder line = new StringBuilder();
    line.append(String.format("%4d  %-27s  %-22s", entry.seq(), fields.path("at").asText(),
        entry.event().type()));
    fields.properties().forEach(field -> {
      if (!field.getKey().equals("at") && !field.getKey().equals("definition")
          && !field.getValue().isNull()) {
        line.append("  ").append(field.getKey()).append('=').append(field.getValue());
      }
    });
    return line.toString().stripTrailing();
  }
}
