package dev.stepwise.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * {@code stepwise stop <id>} and {@code stepwise stop --job <name>}: a graceful stop (the running
 * step finishes, nothing more starts) or, with {@code --force}, a kill that answers only once the
 * step's work is dead.
 */
final class StopCommand implements ClientCommand {

  @Override
  public Set<String> options() {
    return Set.of("force", "reason", "grace", "job");
  }

  @Override
  public ExitCode run(Arguments arguments, Session session) {
    boolean force = arguments.flag("force");
    ObjectNode body = NodeClient.JSON.createObjectNode();
    arguments.option("reason").ifPresent(reason -> body.put("reason", reason));
    if (arguments.option("job").isPresent()) {
      arguments.noPositional();
      if (arguments.option("grace").isPresent()) {
        throw CommandFailure.usage("--grace applies to one execution; a job-wide stop uses "
            + "each job's own stopGraceSeconds");
      }
      return stopJob(arguments.option("job").get(), force, body, session);
    }
    String id = arguments.single("execution id (or --job <name>)");
    arguments.option("grace").ifPresent(grace -> body.put("graceSeconds", GraceSeconds.parse(grace)));
    JsonNode view = session.node().send("POST",
        "/api/executions/" + Session.segment(id) + "/stop?force=" + force, body.toString());
    if (session.json()) {
      session.printJson(view);
    } else {
      new Table("id", "status", "stop")
          .row(Session.text(view, "id"), Session.text(view, "status"),
              Session.text(view.path("cancellation"), "mode"))
          .print(session.out());
    }
    return ExitCode.OK;
  }

  private static ExitCode stopJob(String job, boolean force, ObjectNode body, Session session) {
    JsonNode answer = session.node().send("POST",
        "/api/jobs/" + Session.segment(job) + "/stop?force=" + force, body.toString());
    JsonNode results = answer.path("results");
    ExitCode exit = ExitCode.OK;
    Table table = new Table("id", "outcome", "status");
    for (JsonNode result : results) {
      table.row(Session.text(result, "id"), Session.text(result, "outcome"),
          Session.text(result, "status"));
      if ("unanswered".equals(result.path("outcome").asText())) {
        exit = ExitCode.UNAVAILABLE;
      }
    }
    if (session.json()) {
      session.printJson(answer);
    } else if (results.isEmpty()) {
      session.out().println("no unfinished executions of " + job);
    } else {
      table.print(session.out());
    }
    if (exit != ExitCode.OK) {
      session.err().println("some executions did not answer in time; run the stop again");
    }
    return exit;
  }
}
