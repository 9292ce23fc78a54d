package dev.stepwise.engine.job;

import java.util.List;
import java.util.Map;

/**
 * One step of a job as the job author wrote it. Fields that belong to other step types stay null;
 * {@link JobValidation} says which ones each type needs. {@code params} carries the settings of a
 * custom step type.
 */
public record StepDefinition(
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
    RetryPolicy retry,
    Map<String, String> params) {

  public static StepDefinition shell(String name, String... command) {
    return new StepDefinition(name, "shell", List.of(command), null, null, null, null, null, null,
        null, null, null, null, null);
  }

  public static StepDefinition sleep(String name, double seconds) {
    return new StepDefinition(name, "sleep", null, null, null, null, null, null, null, null,
        seconds, null, null, null);
  }

  public static StepDefinition http(String name, String method, String url) {
    return new StepDefinition(name, "http", null, null, null, method, url, null, null, null, null,
        null, null, null);
  }

  public static StepDefinition custom(String name, String type, Map<String, String> params) {
    return new StepDefinition(name, type, null, null, null, null, null, null, null, null, null,
        null, null, params);
  }

  public StepDefinition withRetry(int maxAttempts, double backoffSeconds) {
    return new StepDefinition(name, type, command, env, workDir, method, url, headers, body,
        expectStatus, seconds, timeoutSeconds, new RetryPolicy(maxAttempts, backoffSeconds), params);
  }

  public StepDefinition withTimeoutSeconds(int timeout) {
    return new StepDefinition(name, type, command, env, workDir, method, url, headers, body,
        expectStatus, seconds, timeout, retry, params);
  }

  public StepDefinition withEnv(Map<String, String> environment) {
    return new StepDefinition(name, type, command, environment, workDir, method, url, headers,
        body, expectStatus, seconds, timeoutSeconds, retry, params);
  }

  public RetryPolicy retryPolicy() {
    return retry == null ? RetryPolicy.ONCE : retry;
  }

  public Map<String, String> envOrEmpty() {
    return env == null ? Map.of() : env;
  }

  public Map<String, String> headersOrEmpty() {
    return headers == null ? Map.of() : headers;
  }

  public Map<String, String> paramsOrEmpty() {
    return params == null ? Map.of() : params;
  }
}
