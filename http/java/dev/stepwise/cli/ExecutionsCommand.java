package dev.stepwise.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * {@code stepwise executions}: a page of executions, newest first, from the read side (so a
 * change shows there within about a second), filtered by status and job.
 */
final class ExecutionsCommand implements ClientCommand {

  /** The options, passed on to {@code GET /api/executions} as its query, in this order. */
  private static final List<String> QUERY = List.of("status", "job", "limit", "cursor");

  @Override
  public Set<String> options() {
    return Set.copyOf(QUERY);
  }

  @Override
  public ExitCode run(Arguments arguments, Session session) {
    arguments.noPositional();
    List<String> query = arguments.query(QUERY);
    JsonNode page = session.node().get("/api/executions"
        + (query.isEmpty() ? "" : "?" + String.join("&", query)));
    if (session.json()) {
      session.printJson(page);
      return ExitCode.OK;
    }
    Table table = new Table("id", "job", "status", "step", "created", "stopped by");
    for (JsonNode item : page.path("items")) {
      table.row(Session.text(item, "id"), Session.text(item, "job"), Session.text(item, "status"),
          Session.text(item, "currentStep"), Session.text(item, "createdAt"),
          Session.text(item.path("cancellation"), "requestedBy"));
    }
    table.print(session.out());
    JsonNode next = page.path("nextCursor");
    if (next.isTextual()) {
      session.err().println("more: --cursor " + next.asText());
    }
    return ExitCode.OK;
  }
}
