package dev.stepwise.engine.job;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One step of a job as the job author wrote it: one record per step type, each with its own
 * settings beside the ones every step has (name, timeout, retry). {@link JobValidation} says what
 * each type needs, so a record may still hold a value a run cannot honour until it has passed.
 *
 * <p>Steps are journaled inside {@code ExecutionCreated}, the job catalog's events and snapshots.
 * Earlier releases journaled one flat object per step with every type's fields, those of other
 * types null: its {@code type} property picks the record, and the other types' fields are
 * ignored. What is written now is that object without them, which those releases read as nulls.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY,
    property = "type", visible = true, defaultImpl = StepDefinition.Custom.class)
@JsonSubTypes({
    @JsonSubTypes.Type(value = StepDefinition.Shell.class, name = StepDefinition.Shell.TYPE),
    @JsonSubTypes.Type(value = StepDefinition.Http.class, name = StepDefinition.Http.TYPE),
    @JsonSubTypes.Type(value = StepDefinition.Sleep.class, name = StepDefinition.Sleep.TYPE)})
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"name", "type"})
public sealed interface StepDefinition {

  /** The types every node runs; any other name is a custom type a node registers. */
  Set<String> BUILT_IN = Set.of(Shell.TYPE, Http.TYPE, Sleep.TYPE);

  String name();

  /** The type name job definitions use; the journal tells the records apart by it. */
  @JsonProperty("type")
  String type();

  Integer timeoutSeconds();

  RetryPolicy retry();

  /** This step with another timeout and retry policy, everything else kept. */
  StepDefinition withTimeoutAndRetry(Integer timeoutSeconds, RetryPolicy retry);

  /** Hands the step to the visitor's method for its type. */
  <R> R accept(StepVisitor<R> visitor);

  default RetryPolicy retryPolicy() {
    return retry() == null ? RetryPolicy.ONCE : retry();
  }

  default StepDefinition withRetry(int maxAttempts, double backoffSeconds) {
    return withTimeoutAndRetry(timeoutSeconds(), new RetryPolicy(maxAttempts, backoffSeconds));
  }

  default StepDefinition withTimeoutSeconds(int timeout) {
    return withTimeoutAndRetry(timeout, retry());
  }

  static Shell shell(String name, String... command) {
    return new Shell(name, List.of(command), null, null, null, null);
  }

  static Sleep sleep(String name, double seconds) {
    return new Sleep(name, seconds, null, null);
  }

  static Http http(String name, String method, String url) {
    return new Http(name, method, url, null, null, null, null, null);
  }

  static Custom custom(String name, String type, Map<String, String> params) {
    return new Custom(name, type, params, null, null);
  }

  /** One program with its arguments, run in {@code workDir} with {@code env} added. */
  record Shell(String name, List<String> command, Map<String, String> env, String workDir,
      Integer timeoutSeconds, RetryPolicy retry) implements StepDefinition {

    public static final String TYPE = "shell";

    @Override
    public String type() {
      return TYPE;
    }

    public Shell withEnv(Map<String, String> environment) {
      return new Shell(name, command, environment, workDir, timeoutSeconds, retry);
    }

    public Map<String, String> envOrEmpty() {
      return env == null ? Map.of() : env;
    }

    @Override
    public Shell withTimeoutAndRetry(Integer timeout, RetryPolicy policy) {
      return new Shell(name, command, env, workDir, timeout, policy);
    }

    @Override
    public <R> R accept(StepVisitor<R> visitor) {
      return visitor.shell(this);
    }
  }

  /**
   * One request; {@code method} defaults to GET and {@code expectStatus} (a status or a range
   * such as {@code 200-299}) to any 2xx.
   */
  record Http(String name, String method, String url, Map<String, String> headers, String body,
      String expectStatus, Integer timeoutSeconds, RetryPolicy retry) implements StepDefinition {

    public static final String TYPE = "http";

    @Override
    public String type() {
      return TYPE;
    }

    public Map<String, String> headersOrEmpty() {
      return headers == null ? Map.of() : headers;
    }

    @Override
    public Http withTimeoutAndRetry(Integer timeout, RetryPolicy policy) {
      return new Http(name, method, url, headers, body, expectStatus, timeout, policy);
    }

    @Override
    public <R> R accept(StepVisitor<R> visitor) {
      return visitor.http(this);
    }
  }

  /** A pause of {@code seconds}. */
  record Sleep(String name, Double seconds, Integer timeoutSeconds, RetryPolicy retry)
      implements StepDefinition {

    public static final String TYPE = "sleep";

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public Sleep withTimeoutAndRetry(Integer timeout, RetryPolicy policy) {
      return new Sleep(name, seconds, timeout, policy);
    }

    @Override
    public <R> R accept(StepVisitor<R> visitor) {
      return visitor.sleep(this);
    }
  }

  /**
   * A step of a type registered by name on the nodes, configured by {@code params}. Also what an
   * author's step without a type reads as, so that validation can name the missing type.
   */
  record Custom(String name, String type, Map<String, String> params, Integer timeoutSeconds,
      RetryPolicy retry) implements StepDefinition {

    public Custom {
      // a built-in name here would journal as that built-in type and read back as it
      if (type != null && BUILT_IN.contains(type)) {
        throw new IllegalArgumentException("'" + type + "' is a built-in step type");
      }
    }

    public Map<String, String> paramsOrEmpty() {
      return params == null ? Map.of() : params;
    }

    @Override
    public Custom withTimeoutAndRetry(Integer timeout, RetryPolicy policy) {
      return new Custom(name, type, params, timeout, policy);
    }

    @Override
    public <R> R accept(StepVisitor<R> visitor) {
      return visitor.custom(this);
    }
  }
}
