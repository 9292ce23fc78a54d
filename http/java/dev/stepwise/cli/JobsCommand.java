package dev.stepwise.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code stepwise jobs apply -f job.json} defines or replaces a job; {@code stepwise jobs list}
 * lists them. The job's name is {@code --name}, else the file's {@code name} field, else the
 * file's name without {@code .json}.
 */
final class JobsCommand implements ClientCommand {

  private final InputStream stdin;

  JobsCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Set<String> options() {
    return Set.of("file", "name");
  }

  @Override
  public ExitCode run(Arguments arguments, Session session) {
    String action = arguments.single("action: apply or list");
    return switch (action) {
      case "apply" -> apply(arguments, session);
      case "list" -> list(session);
      default -> throw CommandFailure.usage("jobs knows apply and list, not '" + action + "'");
    };
  }

  private ExitCode apply(Arguments arguments, Session session) {
    String file = arguments.option("file")
        .orElseThrow(() -> CommandFailure.usage("jobs apply needs -f <job.json> (or -f - for stdin)"));
    JsonNode definition = read(file);
    if (!(definition instanceof ObjectNode object)) {
      throw CommandFailure.usage(file + " must hold one JSON object, the job's definition");
    }
    JsonNode named = object.remove("name");
    String name = arguments.option("name")
        .or(() -> named == null ? java.util.Optional.empty() : java.util.Optional.of(named.asText()))
        .orElseGet(() -> file.equals("-") ? null
            : Path.of(file).getFileName().toString().replaceFirst("\\.json$", ""));
    if (name == null || name.isBlank()) {
      throw CommandFailure.usage("name the job: --name <name>, or a \"name\" field in the JSON");
    }
    JsonNode answer = session.node().send("PUT", "/api/jobs/" + Session.segment(name),
        object.toString());
    if (session.json()) {
      session.printJson(answer);
    } else {
      session.out().println("job " + name + " applied");
    }
    return ExitCode.OK;
  }

  private static ExitCode list(Session session) {
    JsonNode jobs = session.node().get("/api/jobs");
    if (session.json()) {
      session.printJson(jobs);
      return ExitCode.OK;
    }
    Table table = new Table("name", "steps", "description");
    for (JsonNode job : jobs.path("items")) {
      table.row(Session.text(job, "name"),
          Integer.toString(job.path("definition").path("steps").size()),
          Session.text(job.path("definition"), "description"));
    }
    table.print(session.out());
    return ExitCode.OK;
  }

  private JsonNode read(String file) {
    try {
      byte[] bytes = file.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(file));
      return NodeClient.JSON.readTree(bytes);
    } catch (NoSuchFileException e) {
      throw CommandFailure.usage("no such file: " + file);
    } catch (IOException e) {
      throw CommandFailure.usage(file + " is not valid JSON: " + e.getMessage().lines().findFirst()
          .orElse(""));
    }
  }
}
