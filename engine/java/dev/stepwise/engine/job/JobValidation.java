package dev.stepwise.engine.job;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a job definition against the limits a run can honour and lists every problem found, each
 * naming the field it is about, so that an author can fix them all in one go.
 */
public final class JobValidation {

  public static final Pattern JOB_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
  static final Pattern STEP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}");
  static final Pattern STATUS_RANGE = Pattern.compile("([1-5][0-9][0-9])(?:-([1-5][0-9][0-9]))?");
  static final Set<String> HTTP_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  public static final int MAX_STEPS = 100;
  public static final int MAX_DESCRIPTION = 1_000;
  public static final int MAX_ARGS = 256;
  public static final int MAX_ARG_LENGTH = 8_192;
  public static final int MAX_MAP_ENTRIES = 64;
  public static final int MAX_VALUE_LENGTH = 4_096;
  public static final int MAX_BODY = 65_536;
  public static final int MAX_URL = 2_048;
  public static final int MAX_SECONDS = 7 * 24 * 3600;
  public static final int MAX_ATTEMPTS = 100;

  private final Set<String> knownTypes;

  /** @param knownTypes every step type this node can run, built-in and custom */
  public JobValidation(Set<String> knownTypes) {
    this.knownTypes = Set.copyOf(knownTypes);
  }

  public List<String> validateName(String name) {
    if (name == null || !JOB_NAME.matcher(name).matches()) {
      return List.of("name: must match " + JOB_NAME.pattern());
    }
    return List.of();
  }

  public List<String> validate(String name, JobDefinition job) {
    List<String> errors = new ArrayList<>(validateName(name));
    if (job == null) {
      errors.add("body: a job definition is required");
      return errors;
    }
    if (job.description() != null && job.description().length() > MAX_DESCRIPTION) {
      errors.add("description: at most " + MAX_DESCRIPTION + " characters");
    }
    if (job.steps() == null || job.steps().isEmpty()) {
      errors.add("steps: at least one step is required");
    } else {
      checkSteps("steps", job.steps(), errors);
    }
    if (job.onCancel() != null) {
      checkSteps("onCancel", job.onCancel(), errors);
    }
    checkSeconds("timeoutSeconds", job.timeoutSeconds(), 1, errors);
    checkSeconds("stopGraceSeconds", job.stopGraceSeconds(), 0, errors);
    return errors;
  }

  private void checkSteps(String field, List<StepDefinition> steps, List<String> errors) {
    if (steps.size() > MAX_STEPS) {
      errors.add(field + ": at most " + MAX_STEPS + " steps");
      return;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < steps.size(); i++) {
      String at = field + "[" + i + "]";
      StepDefinition step = steps.get(i);
      if (step == null) {
        errors.add(at + ": must be an object");
        continue;
      }
      if (step.name() == null || !STEP_NAME.matcher(step.name()).matches()) {
        errors.add(at + ".name: must match " + STEP_NAME.pattern());
      } else if (!names.add(step.name())) {
        errors.add(at + ".name: '" + step.name() + "' is used by an earlier step");
      }
      checkStep(at, step, errors);
    }
  }

  private void checkStep(String at, StepDefinition step, List<String> errors) {
    checkSeconds(at + ".timeoutSeconds", step.timeoutSeconds(), 1, errors);
    if (step.retry() != null) {
      if (step.retry().maxAttempts() < 1 || step.retry().maxAttempts() > MAX_ATTEMPTS) {
        errors.add(at + ".retry.maxAttempts: between 1 and " + MAX_ATTEMPTS);
      }
      if (!(step.retry().backoffSeconds() >= 0 && step.retry().backoffSeconds() <= MAX_SECONDS)) {
        errors.add(at + ".retry.backoffSeconds: between 0 and " + MAX_SECONDS);
      }
    }
    errors.addAll(step.accept(new TypeChecks(at)));
  }

  /** The checks of each step type's own settings; each lists the problems it found. */
  private final class TypeChecks implements StepVisitor<List<String>> {

    private final String at;
    private final List<String> errors = new ArrayList<>();

    TypeChecks(String at) {
      this.at = at;
    }

    @Override
    public List<String> shell(StepDefinition.Shell step) {
      checkShell(at, step, errors);
      return errors;
    }

    @Override
    public List<String> http(StepDefinition.Http step) {
      checkHttp(at, step, errors);
      return errors;
    }

    @Override
    public List<String> sleep(StepDefinition.Sleep step) {
      if (step.seconds() == null || !(step.seconds() >= 0 && step.seconds() <= MAX_SECONDS)) {
        errors.add(at + ".seconds: required, between 0 and " + MAX_SECONDS);
      }
      return errors;
    }

    /** A step without a type reads as a custom one, so that this can name what is missing. */
    @Override
    public List<String> custom(StepDefinition.Custom step) {
      if (step.type() == null) {
        errors.add(at + ".type: required, one of " + knownTypes);
      } else {
        if (!knownTypes.contains(step.type())) {
          errors.add(at + ".type: unknown step type '" + clip(step.type()) + "', known: "
              + knownTypes);
        }
        checkMap(at + ".params", step.params(), ENV_NAME, errors);
      }
      return errors;
    }
  }

  private static void checkShell(String at, StepDefinition.Shell step, List<String> errors) {
    List<String> command = step.command();
    if (command == null || command.isEmpty()) {
      errors.add(at + ".command: required, the program and its arguments as a list");
    } else if (command.size() > MAX_ARGS) {
      errors.add(at + ".command: at most " + MAX_ARGS + " arguments");
    } else {
      for (int i = 0; i < command.size(); i++) {
        String arg = command.get(i);
        if (arg == null || arg.length() > MAX_ARG_LENGTH || arg.indexOf('\0') >= 0) {
          errors.add(at + ".command[" + i + "]: a string of at most " + MAX_ARG_LENGTH
              + " characters without NUL");
        }
      }
      if (command.get(0) != null && command.get(0).isBlank()) {
        errors.add(at + ".command[0]: the program must not be blank");
      }
    }
    checkMap(at + ".env", step.env(), ENV_NAME, errors);
    if (step.workDir() != null
        && (step.workDir().isBlank() || step.workDir().length() > MAX_VALUE_LENGTH
            || step.workDir().indexOf('\0') >= 0)) {
      errors.add(at + ".workDir: a path of at most " + MAX_VALUE_LENGTH + " characters");
    }
  }

  private static void checkHttp(String at, StepDefinition.Http step, List<String> errors) {
    String method = step.method() == null ? "GET" : step.method();
    if (!HTTP_METHODS.contains(method)) {
      errors.add(at + ".method: one of " + HTTP_METHODS);
    }
    if (step.url() == null || step.url().length() > MAX_URL) {
      errors.add(at + ".url: required, an absolute http or https URL of at most " + MAX_URL
          + " characters");
    } else {
      try {
        URI uri = new URI(step.url());
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            || uri.getHost() == null) {
          errors.add(at + ".url: must be an absolute http or https URL");
        }
      } catch (Exception e) {
        errors.add(at + ".url: not a valid URL");
      }
    }
    checkMap(at + ".headers", step.headers(), HEADER_NAME, errors);
    if (step.body() != null && step.body().length() > MAX_BODY) {
      errors.add(at + ".body: at most " + MAX_BODY + " characters");
    }
    if (step.expectStatus() != null) {
      var m = STATUS_RANGE.matcher(step.expectStatus());
      if (!m.matches() || (m.group(2) != null
          && Integer.parseInt(m.group(2)) < Integer.parseInt(m.group(1)))) {
        errors.add(at + ".expectStatus: a status like \"200\" or a range like \"200-299\"");
      }
    }
  }

  private static void checkMap(String at, Map<String, String> map, Pattern keys,
      List<String> errors) {
    if (map == null) {
      return;
    }
    if (map.size() > MAX_MAP_ENTRIES) {
      errors.add(at + ": at most " + MAX_MAP_ENTRIES + " entries");
      return;
    }
    map.forEach((key, value) -> {
      if (key == null || !keys.matcher(key).matches()) {
        errors.add(at + ": key '" + clip(key) + "' must match " + keys.pattern());
      }
      if (value == null || value.length() > MAX_VALUE_LENGTH || value.indexOf('\0') >= 0) {
        errors.add(at + "." + clip(key) + ": a string of at most " + MAX_VALUE_LENGTH
            + " characters");
      }
    });
  }

  private static void checkSeconds(String at, Integer seconds, int min, List<String> errors) {
    if (seconds != null && (seconds < min || seconds > MAX_SECONDS)) {
      errors.add(at + ": between " + min + " and " + MAX_SECONDS);
    }
  }

  private static String clip(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
