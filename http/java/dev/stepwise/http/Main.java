package dev.stepwise.http;

import dev.stepwise.engine.step.StepTypes;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.LoggerFactory;

/**
 * Starts a Stepwise node; from a clone:
 * {@code mvn -q compile exec:java -Dexec.mainClass=dev.stepwise.http.Main}.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    // Logging starts here, before the actor system's threads race to start it: otherwise SLF4J
    // prints a plain-text notice of replayed calls, which breaks a JSON-only standard error.
    LoggerFactory.getILoggerFactory();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "stepwise", NodeConfig.load());
    try {
      StepwiseNode.init(system, StepTypes.builtIn()).binding().whenComplete((binding, failure) -> {
        if (failure != null) {
          System.err.println("Stepwise could not start its HTTP API: " + failure.getMessage());
          System.exit(1);
        }
      });
    } catch (RuntimeException e) {
      System.err.println("Stepwise could not start: " + e.getMessage());
      system.terminate();
      System.exit(1);
    }
    // Pekko's coordinated shutdown runs on SIGTERM/Ctrl-C and unbinds the API first.
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
