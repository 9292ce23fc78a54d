package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.JobValidation;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The API's JSON of a job is its own: every step shows every type's fields, the other types'
 * null, in one order, whatever form the journal keeps steps in; and reading stays strict.
 */
class JobDocumentTest {

  /** A job with a step of each type, as a client sends it: only each type's own fields. */
  static final String SENT = """
      {"description":"nightly","steps":[\
      {"name":"extract","type":"shell","command":["bash","-c","true"],"env":{"MODE":"full"},\
      "workDir":"/tmp","timeoutSeconds":60,"retry":{"maxAttempts":3,"backoffSeconds":1.5}},\
      {"name":"notify","type":"http","method":"POST","url":"http://127.0.0.1:9000/hook",\
      "headers":{"X-Run":"nightly"},"body":"done","expectStatus":"200-299"},\
      {"name":"nap","type":"sleep","seconds":2},\
      {"name":"count","type":"noop","params":{"TIMES":"3"}}],\
      "timeoutSeconds":600,"stopGraceSeconds":30,"deadLetter":false,\
      "onCancel":[{"name":"cleanup","type":"shell","command":["true"]}]}""";

  /** The same job as the API shows it. */
  static final String SHOWN = """
      {"description":"nightly","steps":[\
      {"name":"extract","type":"shell","command":["bash","-c","true"],"env":{"MODE":"full"},\
      "workDir":"/tmp","method":null,"url":null,"headers":null,"body":null,"expectStatus":null,\
      "seconds":null,"timeoutSeconds":60,"retry":{"maxAttempts":3,"backoffSeconds":1.5},\
      "params":null},\
      {"name":"notify","type":"http","command":null,"env":null,"workDir":null,"method":"POST",\
      "url":"http://127.0.0.1:9000/hook","headers":{"X-Run":"nightly"},"body":"done",\
      "expectStatus":"200-299","seconds":null,"timeoutSeconds":null,"retry":null,"params":null},\
      {"name":"nap","type":"sleep","command":null,"env":null,"workDir":null,"method":null,\
      "url":null,"headers":null,"body":null,"expectStatus":null,"seconds":2.0,\
      "timeoutSeconds":null,"retry":null,"params":null},\
      {"name":"count","type":"noop","command":null,"env":null,"workDir":null,"method":null,\
      "url":null,"headers":null,"body":null,"expectStatus":null,"seconds":null,\
      "timeoutSeconds":null,"retry":null,"params":{"TIMES":"3"}}],\
      "timeoutSeconds":600,"stopGraceSeconds":30,"deadLetter":false,\
      "onCancel":[{"name":"cleanup","type":"shell","command":["true"],"env":null,"workDir":null,\
      "method":null,"url":null,"headers":null,"body":null,"expectStatus":null,"seconds":null,\
      "timeoutSeconds":null,"retry":null,"params":null}]}""";

  static String shown(JobDefinition definition) {
    return new String(Json.write(definition), StandardCharsets.UTF_8);
  }

  @Test
  void aJobIsShownWithEveryFieldOfEveryStepInTheOrderClientsKnow() {
    assertThat(shown(Json.read(SENT, JobDefinition.class))).isEqualTo(SHOWN);
  }

  @Test
  void whatTheApiShowsReadsBackAsTheSameJob() {
    JobDefinition sent = Json.read(SENT, JobDefinition.class);
    assertThat(Json.read(SHOWN, JobDefinition.class)).isEqualTo(sent);
    assertThat(new JobValidation(Set.of("shell", "http", "sleep", "noop"))
        .validate("nightly", sent)).isEmpty();
  }

  @Test
  void anUnknownFieldOfAStepIsStillRefused() {
    assertThatThrownBy(() -> Json.read(
        "{\"steps\":[{\"name\":\"a\",\"type\":\"shell\",\"command\":[\"true\"],\"colour\":1}]}",
        JobDefinition.class))
        .isInstanceOf(ApiProblem.class).hasMessageContaining("steps[0].colour: unknown field");
  }

  @Test
  void aStepWithoutATypeOrANullStepIsLeftForValidationToName() {
    JobDefinition job = Json.read("{\"steps\":[{\"name\":\"a\"},null]}", JobDefinition.class);
    assertThat(new JobValidation(Set.of("shell")).validate("job", job)).containsExactly(
        "steps[0].type: required, one of [shell]", "steps[1]: must be an object");
  }
}
