package dev.stepwise.http;

import dev.stepwise.engine.job.RetryPolicy;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.engine.job.StepVisitor;
import java.util.List;
import java.util.Map;

/**
 * One step of a job in the API's JSON: one object for every type, whose {@code type} says which
 * fields count. A client sends its type's fields; a response shows all of them, the other types'
 * null, as the API always has. Kept apart from {@link StepDefinition}, whose journaled form is a
 * schema of its own.
 */
public record StepDocument(
    String name,
    String type,
    List<String> command,
    Map<String, String> env,
    String workDir,
    String method,
    String url,
    Map<String, String> headers,
    String body,
    String expectStatus,
    Double seconds,
    Integer timeoutSeconds,
    Retry retry,
    Map<String, String> params) {

  public record Retry(int maxAttempts, double backoffSeconds) {

    static Retry of(RetryPolicy policy) {
      return policy == null ? null : new Retry(policy.maxAttempts(), policy.backoffSeconds());
    }

    RetryPolicy toPolicy() {
      return new RetryPolicy(maxAttempts, backoffSeconds);
    }
  }

  /**
   * The step of this document's type with that type's fields; those of other types are dropped.
   * Nothing is checked here: a step without a type or with an unknown one is a custom step, and
   * {@code JobValidation} names what is wrong with it.
   */
  public StepDefinition toDefinition() {
    RetryPolicy policy = retry == null ? null : retry.toPolicy();
    if (type == null) {
      return new StepDefinition.Custom(name, null, params, timeoutSeconds, policy);
    }
    return switch (type) {
      case StepDefinition.Shell.TYPE ->
          new StepDefinition.Shell(name, command, env, workDir, timeoutSeconds, policy);
      case StepDefinition.Http.TYPE -> new StepDefinition.Http(name, method, url, headers, body,
          expectStatus, timeoutSeconds, policy);
      case StepDefinition.Sleep.TYPE ->
          new StepDefinition.Sleep(name, seconds, timeoutSeconds, policy);
      default -> new StepDefinition.Custom(name, type, params, timeoutSeconds, policy);
    };
  }

  public static StepDocument of(StepDefinition step) {
    return step.accept(new StepVisitor<>() {
      @Override
      public StepDocument shell(StepDefinition.Shell s) {
        return new StepDocument(s.name(), s.type(), s.command(), s.env(), s.workDir(), null, null,
            null, null, null, null, s.timeoutSeconds(), Retry.of(s.retry()), null);
      }

      @Override
      public StepDocument http(StepDefinition.Http s) {
        return new StepDocument(s.name(), s.type(), null, null, null, s.method(), s.url(),
            s.headers(), s.body(), s.expectStatus(), null, s.timeoutSeconds(), Retry.of(s.retry()),
            null);
      }

      @Override
      public StepDocument sleep(StepDefinition.Sleep s) {
        return new StepDocument(s.name(), s.type(), null, null, null, null, null, null, null, null,
            s.seconds(), s.timeoutSeconds(), Retry.of(s.retry()), null);
      }

      @Override
      public StepDocument custom(StepDefinition.Custom s) {
        return new StepDocument(s.name(), s.type(), null, null, null, null, null, null, null, null,
            null, s.timeoutSeconds(), Retry.of(s.retry()), s.params());
      }
    });
  }
}
