package dev.stepwise.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stepwise.engine.execution.Cancellation;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StepRun;
import dev.stepwise.engine.execution.StepStatus;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobCatalog;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.persistence.ExecutionJournal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON documents of the API, apart from the actor protocol they are mapped from and to. */
public final class ApiMessages {

  private ApiMessages() {}

  // ---------------------------------------------------------------- requests

  /** Body of {@code POST /api/jobs/{name}/executions}; optional. */
  public record StartRequest(Instant startAt) {}

  /** Body of {@code POST /api/executions/{id}/stop}; optional. */
  public record StopRequest(String reason, Integer graceSeconds) {}

  /** Body of {@code POST /api/executions/stop}. */
  public record BulkStopRequest(List<String> ids, Boolean force, String reason) {}

  // ---------------------------------------------------------------- responses

  public record JobResponse(String name, JobDefinition definition, Instant createdAt,
      String createdBy, Instant updatedAt, String updatedBy, int version) {

    static JobResponse of(JobCatalog.Job job) {
      return new JobResponse(job.name(), job.definition(), job.createdAt(), job.createdBy(),
          job.updatedAt(), job.updatedBy(), job.version());
    }
  }

  public record JobList(List<JobResponse> items) {}

  public record StepResponse(String name, String type, boolean cleanup, StepStatus status,
      int attempt, Instant startedAt, Instant completedAt, Integer exitCode, String output,
      String error) {

    static StepResponse of(StepRun run) {
      return new StepResponse(run.name(), run.type(), run.cleanup(), run.status(), run.attempt(),
          run.startedAt(), run.completedAt(), run.exitCode(), run.output(), run.error());
    }
  }

  public record CancellationResponse(StopMode mode, String reason, String requestedBy,
      Instant requestedAt, Instant graceDeadline, String escalatedBy, String escalationReason,
      Instant escalatedAt) {

    static CancellationResponse of(Cancellation c) {
      return c == null ? null : new CancellationResponse(c.mode(), c.reason(), c.requestedBy(),
          c.requestedAt(), c.graceDeadline(), c.escalatedBy(), c.escalationReason(),
          c.escalatedAt());
    }
  }

  /** The execution view; {@code sequenceNr} is the last event it reflects. */
  public record ExecutionResponse(String id, String job, Status status, String currentStep,
      List<StepResponse> steps, Instant createdAt, Instant startAt, Instant startedAt,
      Instant completedAt, String error, CancellationResponse cancellation, String createdBy,
      String retryOf, JobDefinition definition, long sequenceNr, boolean stale) {

    static ExecutionResponse of(ExecutionView v) {
      return of(v, false);
    }

    /** {@code stale}: read from the journal because the node running it did not answer. */
    static ExecutionResponse of(ExecutionView v, boolean stale) {
      return new ExecutionResponse(v.id(), v.job(), v.status(), v.currentStep(),
          v.steps().stream().map(StepResponse::of).toList(), v.createdAt(), v.startAt(),
          v.startedAt(), v.completedAt(), v.error(), CancellationResponse.of(v.cancellation()),
          v.createdBy(), v.retryOf(), v.definition(), v.sequenceNr(), stale);
    }
  }

  /** Each event is {@code {seq, type, at, ...its fields}}. */
  public record HistoryResponse(String executionId, List<Map<String, Object>> events) {

    static HistoryResponse of(String executionId, List<ExecutionJournal.Entry> entries) {
      return new HistoryResponse(executionId, entries.stream().map(HistoryResponse::event)
          .toList());
    }

    /** {@code {seq, type, at, ...fields}} of one journaled event. */
    private static Map<String, Object> event(ExecutionJournal.Entry entry) {
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("seq", entry.seq());
      event.put("type", entry.event().type());
      ObjectNode fields = Json.MAPPER.valueToTree(entry.event());
      event.put("at", fields.get("at"));
      fields.properties().forEach(field -> event.putIfAbsent(field.getKey(), field.getValue()));
      return event;
    }
  }

  /** {@code outcome}: accepted, refused (already ended) or unknown. */
  public record BulkStopResult(String id, String outcome, Status status) {}

  public record BulkStopResponse(List<BulkStopResult> results) {}

  public record HealthResponse(String status) {}
}
