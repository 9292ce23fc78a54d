package dev.stepwise.engine.step;

import dev.stepwise.engine.job.StepDefinition;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs a {@code shell} step: one program with its arguments, environment and working directory,
 * success when it exits 0. Stopping this actor kills the step's whole process tree before the
 * stop completes, so the execution can report {@code Cancelled} only once the work is dead.
 */
final class ShellStep extends AbstractBehavior<StepMessage> {

  /** Node settings reach steps through the environment; none of them is the step's business. */
  private static final String NODE_ENV_PREFIX = "STEPWISE_";

  private record Exited(int exitCode) implements StepMessage {}

  private final StepAttempt attempt;
  private final StepOutputs outputs;
  private final Path output;
  private final ProcessTree tree;
  private boolean ended;

  static Behavior<StepMessage> create(StepAttempt attempt, StepDefinition.Shell step) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        start(context, timers, attempt, step)));
  }

  private static Behavior<StepMessage> start(ActorContext<StepMessage> context,
      TimerScheduler<StepMessage> timers, StepAttempt attempt, StepDefinition.Shell step) {
    // under the node's data folder, never the system's temp folder: the file is the attempt's
    // record, and one left by a killed JVM is found and served, not leaked
    StepOutputs outputs = StepOutputs.get(context.getSystem());
    Path output = null;
    try {
      ProcessBuilder builder = builder(step);
      output = outputs.create(attempt.executionId(), attempt.index(), attempt.attempt());
      requireExecutable(step.command().get(0), builder);
      ProcessTree tree = ProcessTree.start(builder.redirectOutput(output.toFile()),
          StepLeases.get(context.getSystem()));
      tree.root().onExit().thenAccept(p -> context.getSelf().tell(new Exited(p.exitValue())));
      StepTimeout.arm(timers, step);
      return new ShellStep(context, attempt, outputs, output, tree);
    } catch (IOException | RuntimeException e) {
      String error = "could not start " + step.command().get(0) + ": " + e.getMessage()
          + " (check the program path and workDir)";
      finish(outputs, output, error + "\n");
      attempt.report(StepResult.failure(error));
      return Behaviors.stopped();
    }
  }

  private static ProcessBuilder builder(StepDefinition.Shell step) {
    ProcessBuilder builder = new ProcessBuilder(step.command())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().keySet().removeIf(name -> name.startsWith(NODE_ENV_PREFIX));
    builder.environment().putAll(step.envOrEmpty());
    if (step.workDir() != null) {
      builder.directory(new File(step.workDir()));
    }
    return builder;
  }

  /**
   * The program is looked up before the launch, because once {@code setsid} runs it, a missing
   * program shows only as exit code 127.
   */
  private static void requireExecutable(String program, ProcessBuilder builder)
      throws IOException {
    if (program.contains("/")) {
      Path path = Path.of(program);
      if (!path.isAbsolute() && builder.directory() != null) {
        path = builder.directory().toPath().resolve(path);
      }
      if (!Files.isExecutable(path)) {
        throw new IOException("no executable file at " + path);
      }
      return;
    }
    String searchPath = builder.environment().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : searchPath.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return;
      }
    }
    throw new IOException("'" + program + "' is not on the PATH " + searchPath);
  }

  private ShellStep(ActorContext<StepMessage> context, StepAttempt attempt, StepOutputs outputs,
      Path output, ProcessTree tree) {
    super(context);
    this.attempt = attempt;
    this.outputs = outputs;
    this.output = output;
    this.tree = tree;
  }

  @Override
  public Receive<StepMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(Exited.class, this::onExited)
        .onMessageEquals(StepTimeout.Expired.INSTANCE, this::onTimedOut)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<StepMessage> onExited(Exited exited) {
    tree.killLeftovers();
    ended = true;
    finish(outputs, output, null);
    String tail = OutputTail.of(output);
    attempt.report(exited.exitCode() == 0
        ? new StepResult(true, 0, tail, null)
        : new StepResult(false, exited.exitCode(), tail, "exited with code " + exited.exitCode()));
    return Behaviors.stopped();
  }

  private Behavior<StepMessage> onTimedOut() {
    tree.kill();
    ended = true;
    finish(outputs, output, null);
    String tail = OutputTail.of(output);
    attempt.report(new StepResult(false, null, tail,
        StepTimeout.error(attempt.step()) + "; its process tree was killed"));
    return Behaviors.stopped();
  }

  private Behavior<StepMessage> onPostStop() {
    if (!ended) {
      // killed (force stop, escalation, deadline): what it wrote until now is kept whole
      tree.kill();
      finish(outputs, output, null);
    }
    return this;
  }

  /** Marks the attempt's output ended; a failure to do so must not change the step's outcome. */
  private static void finish(StepOutputs outputs, Path file, String note) {
    if (file == null) {
      return;
    }
    try {
      outputs.ended(file, note);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(ShellStep.class)
          .warn("could not finish the step's output file {}: {}", file, e.getMessage());
    }
  }
}
