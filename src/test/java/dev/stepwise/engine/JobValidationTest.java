package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.JobValidation;
import dev.stepwise.engine.job.RetryPolicy;
import dev.stepwise.engine.job.StepDefinition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobValidationTest {

  final JobValidation validation = new JobValidation(Set.of("shell", "http", "sleep", "noop"));

  static StepDefinition step(String name, String type) {
    return switch (type) {
      case "shell" -> new StepDefinition.Shell(name, null, null, null, null, null);
      case "sleep" -> new StepDefinition.Sleep(name, null, null, null);
      default -> StepDefinition.custom(name, type, null);
    };
  }

  @Test
  void theDesignDocumentsExampleIsValid() {
    JobDefinition job = new JobDefinition("nightly export", List.of(
        StepDefinition.shell("extract", "bash", "-c", "./extract.sh")
            .withEnv(Map.of("MODE", "full")).withTimeoutSeconds(600).withRetry(3, 5),
        new StepDefinition.Http("notify", "POST",
            "http://127.0.0.1:9000/hook", Map.of("X-Run", "nightly"), "done", "200-299", 10,
            null),
        StepDefinition.sleep("cool-down", 30)),
        3600, 300, true, List.of(StepDefinition.shell("cleanup", "./cleanup.sh")));
    assertThat(validation.validate("nightly-export", job)).isEmpty();
  }

  @Test
  void badNamesAreRefused() {
    JobDefinition job = JobDefinition.of(StepDefinition.shell("a", "true"));
    assertThat(validation.validate("Upper", job)).hasSize(1);
    assertThat(validation.validate("../etc", job)).hasSize(1);
    assertThat(validation.validate("", job)).hasSize(1);
    assertThat(validation.validate("a".repeat(101), job)).hasSize(1);
    assertThat(validation.validate("ok.name_1-x", job)).isEmpty();
  }

  @Test
  void everyProblemIsListedWithTheFieldItConcerns() {
    JobDefinition job = new JobDefinition("d", List.of(
        step("a", "shell"),
        step("a", "warp-drive"),
        new StepDefinition.Http("h", "FETCH", "ftp://x", null, null, "299-200",
            -1, new RetryPolicy(0, -1)),
        step("s", "sleep")),
        0, -5, null, null);
    List<String> errors = validation.validate("job", job);
    assertThat(errors).anyMatch(e -> e.startsWith("steps[0].command"))
        .anyMatch(e -> e.startsWith("steps[1].name") && e.contains("earlier step"))
        .anyMatch(e -> e.startsWith("steps[1].type") && e.contains("warp-drive"))
        .anyMatch(e -> e.startsWith("steps[2].method"))
        .anyMatch(e -> e.startsWith("steps[2].url"))
        .anyMatch(e -> e.startsWith("steps[2].expectStatus"))
        .anyMatch(e -> e.startsWith("steps[2].timeoutSeconds"))
        .anyMatch(e -> e.startsWith("steps[2].retry.maxAttempts"))
        .anyMatch(e -> e.startsWith("steps[2].retry.backoffSeconds"))
        .anyMatch(e -> e.startsWith("steps[3].seconds"))
        .anyMatch(e -> e.startsWith("timeoutSeconds"))
        .anyMatch(e -> e.startsWith("stopGraceSeconds"));
  }

  @Test
  void sizesAreBounded() {
    List<StepDefinition> many = new ArrayList<>();
    for (int i = 0; i < JobValidation.MAX_STEPS + 1; i++) {
      many.add(StepDefinition.shell("s" + i, "true"));
    }
    assertThat(validation.validate("job", new JobDefinition(null, many, null, null, null, null)))
        .containsExactly("steps: at most " + JobValidation.MAX_STEPS + " steps");
    String[] longCommand = Collections.nCopies(JobValidation.MAX_ARGS + 1, "x")
        .toArray(String[]::new);
    assertThat(validation.validate("job", JobDefinition.of(StepDefinition.shell("s", longCommand))))
        .anyMatch(e -> e.contains("at most " + JobValidation.MAX_ARGS + " arguments"));
    assertThat(validation.validate("job", new JobDefinition("x".repeat(1001),
        List.of(StepDefinition.shell("s", "true")), null, null, null, null)))
        .anyMatch(e -> e.startsWith("description"));
  }

  @Test
  void aJobNeedsSteps() {
    assertThat(validation.validate("job", new JobDefinition(null, List.of(), null, null, null,
        null))).containsExactly("steps: at least one step is required");
    assertThat(validation.validate("job", null)).contains("body: a job definition is required");
  }
}
