package dev.stepwise.http;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionMdc;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.StopMode;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP edge logs about executions: stops (and, at DEBUG, starts) asked over the API and
 * how they were answered, each line with the caller as {@code user} and the execution's id (and job, once
 * known) in the MDC. Refused and unknown stops change nothing in the journal, so this is where an
 * operator finds them.
 */
final class ExecutionRequestLog {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutionRequestLog.class);

  private ExecutionRequestLog() {}

  static void stopAnswered(String user, String executionId, StopMode mode,
      ExecutionEntity.StopReply reply, Throwable failure) {
    if (reply instanceof ExecutionEntity.StopAccepted accepted) {
      log(false, user, executionId, accepted.view(), "{} stop over HTTP accepted; now {}", mode,
          accepted.view().status());
    } else if (reply instanceof ExecutionEntity.StopRefused refused) {
      log(false, user, executionId, refused.view(), "{} stop over HTTP refused: the execution is {}",
          mode, refused.view().status());
    } else if (reply instanceof ExecutionEntity.Unknown) {
      log(false, user, executionId, null, "{} stop over HTTP of an unknown execution", mode);
    } else {
      log(false, user, executionId, null, "{} stop over HTTP unanswered: {}", mode, failure);
    }
  }

  /** At DEBUG: the execution itself logs its creation, with its creator, at INFO. */
  static void startAnswered(String user, ExecutionEntity.StartReply reply) {
    if (!LOG.isDebugEnabled()) {
      return;
    }
    if (reply instanceof ExecutionEntity.Started started) {
      log(true, user, started.view().id(), started.view(), "start over HTTP accepted; now {}",
          started.view().status());
    } else if (reply instanceof ExecutionEntity.AlreadyExists existing) {
      log(true, user, existing.view().id(), existing.view(),
          "start over HTTP found the execution existing; it is {}", existing.view().status());
    }
  }

  private static void log(boolean debug, String user, String executionId, ExecutionView view,
      String message, Object... arguments) {
    Map<String, String> fields = new HashMap<>();
    fields.put(ExecutionMdc.USER, user);
    fields.put(ExecutionMdc.EXECUTION_ID, executionId);
    fields.put(ExecutionMdc.JOB, view == null ? null : view.job());
    try (var scope = ExecutionMdc.scope(fields)) {
      if (debug) {
        LOG.debug(message, arguments);
      } else {
        LOG.info(message, arguments);
      }
    }
  }
}
