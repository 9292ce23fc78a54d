package dev.stepwise.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.persistence.ExecutionJournal;
import dev.stepwise.persistence.JournalConfig;
import dev.stepwise.persistence.audit.AuditRecord;
import dev.stepwise.persistence.audit.TimelineLine;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code stepwise audit}: the audit command line, against the database the node is configured with (STEPWISE_DB_URL
 * and friends): an execution's timeline, its state replayed to any event, and JSON-lines
 * exports of one, several or all executions. Reads the journal only; changes nothing.
 */
public final class AuditTool {

  static final String USAGE = """
      usage: stepwise audit timeline <execution-id>
             stepwise audit replay <execution-id> [--to <seq>]
             stepwise audit export [--out <file>] [<execution-id> ...]   (all when none given)
      The database is the node's: STEPWISE_DB_URL, STEPWISE_DB_USER, STEPWISE_DB_PASSWORD.""";

  private final ExecutionJournal journal;
  private final PrintStream out;
  private final PrintStream err;

  AuditTool(ExecutionJournal journal, PrintStream out, PrintStream err) {
    this.journal = journal;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(run(args, ConfigFactory.empty(), System.out, System.err));
  }

  /** Runs one command; returns the process exit code (0 done, 1 failed, 2 usage). */
  public static int run(String[] args, Config overrides, PrintStream out, PrintStream err) {
    if (args.length == 0 || Arrays.asList("-h", "--help", "help").contains(args[0])) {
      (args.length == 0 ? err : out).println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    Config config = JournalConfig.forDialect(ConfigFactory.load(overrides
        .withFallback(ConfigFactory.parseMap(Map.of("pekko.actor.provider", "local",
            "pekko.loglevel", "WARNING")))
        .withFallback(ConfigFactory.defaultApplication())));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "stepwise-audit", config);
    try {
      return new AuditTool(new ExecutionJournal(system), out, err).command(args);
    } catch (UsageException e) {
      err.println(e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (RuntimeException | IOException e) {
      err.println("audit failed: " + e.getMessage());
      return 1;
    } finally {
      system.terminate();
    }
  }

  private int command(String[] args) throws IOException {
    return switch (args[0]) {
      case "timeline" -> timeline(single(args));
      case "replay" -> replay(single(args), toSeq(args));
      case "export" -> export(args);
      default -> throw new UsageException("unknown command '" + args[0] + "'");
    };
  }

  private int timeline(String id) {
    List<ExecutionJournal.Entry> entries = await(journal.history(id, Long.MAX_VALUE));
    if (entries.isEmpty()) {
      err.println("no execution " + id + " in the journal");
      return 1;
    }
    for (ExecutionJournal.Entry entry : entries) {
      out.println(TimelineLine.of(entry));
    }
    return 0;
  }

  private int replay(String id, long toSeq) throws JsonProcessingException {
    var view = await(journal.replay(id, toSeq));
    if (view.isEmpty()) {
      err.println("no execution " + id + " in the journal");
      return 1;
    }
    out.println(AuditRecord.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(view.get()));
    return 0;
  }

  private int export(String[] args) throws IOException {
    Path file = null;
    List<String> ids = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--out")) {
        if (++i == args.length) {
          throw new UsageException("--out needs a file");
        }
        file = Path.of(args[i]);
      } else {
        ids.add(args[i]);
      }
    }
    if (ids.isEmpty()) {
      ids = new ArrayList<>(await(journal.executionIds()));
      ids.sort(null);
    }
    Progress progress = new Progress(ids.size(), err);
    try (Writer writer = file == null
        ? new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)
        : Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (String id : ids) {
        List<ExecutionJournal.Entry> entries = await(journal.history(id, Long.MAX_VALUE));
        for (ExecutionJournal.Entry entry : entries) {
          writer.write(AuditRecord.of(entry).toJsonLine());
          writer.write('\n');
        }
        progress.executionDone(entries.size());
      }
    }
    progress.finish(file);
    return 0;
  }

  private static String single(String[] args) {
    if (args.length < 2 || args[1].startsWith("--")) {
      throw new UsageException(args[0] + " needs an execution id");
    }
    return args[1];
  }

  private static long toSeq(String[] args) {
    for (int i = 2; i < args.length; i++) {
      if (args[i].equals("--to") && i + 1 < args.length) {
        try {
          long seq = Long.parseLong(args[i + 1]);
          if (seq >= 1) {
            return seq;
          }
        } catch (NumberFormatException e) {
          // falls through to the usage error
        }
        throw new UsageException("--to needs a sequence number of 1 or more");
      }
    }
    return Long.MAX_VALUE;
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the journal did not answer: " + e.getMessage(), e);
    }
  }

  /** A command line that does not parse. */
  private static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** Tells, on standard error, how far a long export has got, every second at most. */
  private static final class Progress {
    private final int total;
    private final PrintStream err;
    private int executions;
    private long events;
    private long lastReport = System.nanoTime();

    Progress(int total, PrintStream err) {
      this.total = total;
      this.err = err;
    }

    void executionDone(int eventCount) {
      executions++;
      events += eventCount;
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(1)) {
        lastReport = System.nanoTime();
        err.printf("exported %d of %d executions (%d events)%n", executions, total, events);
      }
    }

    void finish(Path file) {
      err.printf("exported %d executions (%d events)%s%n", executions, events,
          file == null ? "" : " to " + file);
    }
  }
}
