package dev.stepwise.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code stepwise watch}: the node's event stream (Server-Sent Events), one line per journaled
 * event, from now on unless {@code --since start}; {@code --count} ends it after that many.
 */
final class WatchCommand implements ClientCommand {

  @Override
  public Set<String> options() {
    return Set.of("job", "execution", "since", "count");
  }

  @Override
  public ExitCode run(Arguments arguments, Session session) {
    arguments.noPositional();
    String since = arguments.option("since").orElse("now");
    if (!since.equals("now") && !since.equals("start")) {
      throw CommandFailure.usage("--since is now or start, not '" + since + "'");
    }
    long count = arguments.positive("count").orElse(Long.MAX_VALUE);
    List<String> query = new ArrayList<>(List.of("since=" + since));
    query.addAll(arguments.query(List.of("job", "execution")));
    long seen = 0;
    try (Stream<String> lines = session.node().stream("/api/events?" + String.join("&", query))) {
      Iterator<String> it = lines.iterator();
      while (seen < count && it.hasNext()) {
        String line = it.next();
        if (line.startsWith("data:")) {
          print(line.substring(5).strip(), session);
          seen++;
        }
      }
    }
    if (seen < count && count != Long.MAX_VALUE) {
      session.err().println("the event stream ended after " + seen + " events");
      return ExitCode.UNAVAILABLE;
    }
    return ExitCode.OK;
  }

  private static void print(String data, Session session) {
    if (session.json()) {
      session.out().println(data);
      return;
    }
    try {
      JsonNode event = NodeClient.JSON.readTree(data);
      session.out().printf("%s  %s  %s  %s  %s%n", Session.text(event, "at"),
          Session.text(event, "executionId"), Session.text(event, "job"),
          Session.text(event, "seq"), Session.text(event, "type"));
    } catch (IOException e) {
      session.out().println(data);
    }
  }
}
