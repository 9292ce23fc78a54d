package dev.stepwise.cli;

import com.typesafe.config.ConfigFactory;
import dev.stepwise.http.Main;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one entry point of the release's {@code bin/stepwise}: with no command, or {@code node},
 * it starts a node exactly as {@code mvn exec:java} does; {@code postgres} starts a local
 * PostgreSQL; {@code audit} reads the journal; the rest are the client, which talks to a node's
 * HTTP API.
 */
public final class Stepwise {

  static final String USAGE = """
      usage: stepwise [node]                      start a node (configured by STEPWISE_* variables)
             stepwise postgres [--data DIR] [--port N]   a local PostgreSQL for trying a cluster
             stepwise stop <id> [--force] [--reason TEXT] [--grace 30s]
             stepwise stop --job <name> [--force] [--reason TEXT]
             stepwise executions [--status S] [--job NAME] [--limit N] [--cursor C]
             stepwise show <id>
             stepwise logs <id> [--step NAME|INDEX] [--attempt N] [--follow]
             stepwise watch [--job NAME] [--execution ID] [--since now|start] [--count N]
             stepwise jobs apply -f job.json [--name NAME]
             stepwise jobs list
             stepwise audit timeline|replay|export ...   (reads the node's database)
      Client options: --url URL (or STEPWISE_URL, default http://127.0.0.1:8080),
                      --token JWT (or STEPWISE_TOKEN), --output table|json (or -o json).
      Exit codes: 0 done, 1 failed, 2 usage, 3 node unavailable, 4 token refused, 5 not found,
                  6 conflict (e.g. the execution has already ended). See docs/cli.md.""";

  private static final Set<String> COMMON = Set.of("url", "token", "output");

  private Stepwise() {}

  public static void main(String[] args) {
    String command = args.length == 0 ? "node" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (command) {
      case "node" -> Main.main(rest);
      case "postgres" -> System.exit(LocalPostgres.run(rest, System.out, System.err));
      case "audit" -> System.exit(AuditTool.run(rest, ConfigFactory.empty(), System.out,
          System.err));
      default -> System.exit(run(args, System.getenv(), System.in, System.out, System.err));
    }
  }

  /** Runs one client command; returns its exit code. Tests call this in their own JVM. */
  public static int run(String[] args, Map<String, String> environment, InputStream stdin,
      PrintStream out, PrintStream err) {
    if (args.length == 0 || List.of("help", "-h", "--help").contains(args[0])) {
      out.println(USAGE);
      return ExitCode.OK.code;
    }
    ClientCommand command = switch (args[0]) {
      case "stop" -> new StopCommand();
      case "executions" -> new ExecutionsCommand();
      case "show" -> new ShowCommand();
      case "logs" -> new LogsCommand();
      case "watch" -> new WatchCommand();
      case "jobs" -> new JobsCommand(stdin);
      default -> null;
    };
    if (command == null) {
      err.println("stepwise: unknown command '" + args[0] + "'\n" + USAGE);
      return ExitCode.USAGE.code;
    }
    try {
      Set<String> known = new HashSet<>(COMMON);
      known.addAll(command.options());
      Arguments arguments = Arguments.parse(List.of(args).subList(1, args.length), known);
      if (arguments.flag("help")) {
        out.println(USAGE);
        return ExitCode.OK.code;
      }
      String output = arguments.option("output").orElse("table");
      if (!output.equals("table") && !output.equals("json")) {
        throw CommandFailure.usage("--output is table or json, not '" + output + "'");
      }
      NodeClient node = new NodeClient(
          arguments.option("url").orElse(environment.getOrDefault("STEPWISE_URL",
              "http://127.0.0.1:8080")),
          arguments.option("token").orElse(environment.get("STEPWISE_TOKEN")));
      return command.run(arguments, new Session(node, output.equals("json"), out, err)).code;
    } catch (CommandFailure failure) {
      err.println("stepwise " + args[0] + ": " + failure.getMessage());
      if (failure.exitCode == ExitCode.USAGE) {
        err.println("run 'stepwise help' for the commands and their options");
      }
      return failure.exitCode.code;
    }
  }
}
