package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.engine.step.CustomStep;
import dev.stepwise.engine.step.StepResult;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestDatabase;
import dev.stepwise.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every line about an execution carries its id, job, step and acting user: the execution's own
 * lines, and those of a step's code, on the step's actor and on the blocking executor it hands
 * work to. Read in process with a list appender and Logback's JsonEncoder, as the JSON switch
 * writes them.
 */
class ExecutionLogsIT {

  static final org.slf4j.Logger STEP_LOG = LoggerFactory.getLogger("test.chatty-step");

  /** Logs from the step's actor, then from the blocking executor, then waits to be stopped. */
  static final CustomStep CHATTY = context -> {
    STEP_LOG.info("chatty step starting");
    CompletableFuture<StepResult> result = new CompletableFuture<>();
    context.blockingExecutor().execute(() -> STEP_LOG.info("chatty step working"));
    context.onCancel(() -> result.complete(StepResult.failure("stopped")));
    return result;
  };

  @Test
  void anExecutionsLinesCarryItsIdJobStepAndUser() throws Exception {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(logging);
    captured.start();
    root.addAppender(captured);
    JsonEncoder json = new JsonEncoder();
    json.setContext(logging);
    json.setWithFormattedMessage(true);
    json.start();
    try (TestNode node = TestNode.on(TestDatabase.fresh(), Map.of("chatty", CHATTY))) {
      String id = node.start(JobDefinition.of(
          StepDefinition.custom("talk", "chatty", Map.of())));
      Eventually.await("the step worked", TestNode.WAIT,
          () -> messages(captured, id).contains("chatty step working"));
      node.stop(id, StopMode.force, "enough", "stella", null);
      node.awaitStatus(id, Status.Cancelled);
      Eventually.await("the execution logged its end", TestNode.WAIT,
          () -> messages(captured, id).stream().anyMatch(m -> m.startsWith("execution ended")));

      ObjectMapper mapper = new ObjectMapper();
      List<JsonNode> lines = new ArrayList<>();
      for (ILoggingEvent event : List.copyOf(captured.list)) {
        if (id.equals(event.getMDCPropertyMap().get("executionId"))) {
          lines.add(mapper.readTree(new String(json.encode(event), StandardCharsets.UTF_8)));
        }
      }
      assertThat(lines).extracting(l -> l.path("formattedMessage").asText())
          .contains("chatty step starting", "chatty step working",
              "execution of job test-job created by tester",
              "force stop requested by stella: enough");
      assertThat(lines).extracting(l -> l.at("/mdc/job").asText()).containsOnly("test-job");
      assertThat(lines).extracting(l -> l.at("/mdc/step").asText()).containsOnly("talk");
      for (JsonNode line : lines) {
        String message = line.path("formattedMessage").asText();
        String user = line.at("/mdc/user").asText();
        if (message.startsWith("chatty step") || message.startsWith("execution of job")) {
          assertThat(user).as(message).isEqualTo("tester");
        } else if (message.contains("stop") || message.startsWith("execution ended")) {
          assertThat(user).as(message).isEqualTo("stella");
        }
      }
    } finally {
      root.detachAppender(captured);
    }
  }

  private static List<String> messages(ListAppender<ILoggingEvent> captured, String id) {
    return List.copyOf(captured.list).stream()
        .filter(e -> id.equals(e.getMDCPropertyMap().get("executionId")))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
