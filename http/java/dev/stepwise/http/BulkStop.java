package dev.stepwise.http;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.http.ApiMessages.BulkStopResult;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Stops several executions at once and says, per id, what became of each stop. */
final class BulkStop {

  private BulkStop() {}

  static CompletableFuture<List<BulkStopResult>> stopEach(JournaledExecutions executions,
      Collection<String> ids, StopMode mode, String reason, String by, Executor executor) {
    List<CompletableFuture<BulkStopResult>> results = ids.stream()
        .map(id -> executions.stop(id, mode, reason, by, null)
            .whenCompleteAsync((reply, failure) -> ExecutionRequestLog.stopAnswered(
                by, id, mode, reply, failure), executor)
            .thenApplyAsync(reply -> result(id, reply), executor)
            .exceptionally(failure -> new BulkStopResult(id, "unanswered", null))
            .toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApplyAsync(done -> results.stream().map(CompletableFuture::join).toList(), executor);
  }

  private static BulkStopResult result(String id, ExecutionEntity.StopReply reply) {
    if (reply instanceof ExecutionEntity.StopAccepted accepted) {
      return new BulkStopResult(id, "accepted", accepted.view().status());
    }
    if (reply instanceof ExecutionEntity.StopRefused refused) {
      return new BulkStopResult(id, "refused", refused.view().status());
    }
    return new BulkStopResult(id, "unknown", null);
  }
}
