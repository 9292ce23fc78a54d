package dev.stepwise.persistence.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import dev.stepwise.engine.execution.EventNames;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.persistence.ExecutionJournal;
import java.util.HashMap;
import java.util.Map;

/**
 * One journaled event as an audit export line: {@code {executionId, seq, offset, type, event}}.
 * The line reads back into the very event it was written from, so an export can be checked
 * against the journal, or loaded elsewhere, without Stepwise's binary format.
 */
public record AuditRecord(String executionId, long seq, long offset, String type,
    ExecutionEntity.Event event) {

  public static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .addModule(new Jdk8Module())
      .addModule(new ParameterNamesModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  public static AuditRecord of(ExecutionJournal.Entry entry) {
    return new AuditRecord(entry.executionId(), entry.seq(), entry.offset(),
        entry.event().type(), entry.event());
  }

  public String toJsonLine() {
    ObjectNode line = JSON.createObjectNode();
    line.put("executionId", executionId);
    line.put("seq", seq);
    line.put("offset", offset);
    line.put("type", type);
    line.set("event", JSON.valueToTree(event));
    try {
      return JSON.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + type + " of " + executionId, e);
    }
  }

  /** Reads a line written by {@link #toJsonLine}; refuses types that are not our events. */
  public static AuditRecord parse(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      String type = node.get("type").asText();
      Class<? extends ExecutionEntity.Event> eventType = EventNames.typeOf(type).orElseThrow(
          () -> new IllegalArgumentException("unknown event type '" + type + "'"));
      return new AuditRecord(node.get("executionId").asText(), node.get("seq").asLong(),
          node.get("offset").asLong(), type,
          (ExecutionEntity.Event) JSON.treeToValue(node.get("event"), eventType));
    } catch (JsonProcessingException | NullPointerException e) {
      throw new IllegalArgumentException("not an audit line: " + e.getMessage(), e);
    }
  }

  /** Reads any JSON the tool printed, e.g. a replayed view. */
  public static JsonNode parseJson(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
  }
}
