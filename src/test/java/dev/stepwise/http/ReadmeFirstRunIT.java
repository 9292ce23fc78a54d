package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.testing.Eventually;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README as a new user pastes it: the node is started with the README's own first command
 * (on its defaults: the embedded database, the API on port 8080, a printed admin token), and the
 * "A first run" block is run as written, with only the printed token filled in. Every request it
 * makes must succeed, and the event stream it opens must deliver the executions it starts. The
 * commands are read from the README each time, so the README cannot drift from the code.
 */
class ReadmeFirstRunIT {

  static final Path README = Path.of("README.md");
  static final Duration START_WAIT = Duration.ofSeconds(180);
  /** What a curl call in the block prints on standard error, through the wrapper below. */
  static final Pattern ANSWER = Pattern.compile("^ANSWER (\\d{3}) (\\S+) (\\S+)$");

  @TempDir Path work;

  @Test
  void theFirstRunBlockWorksAsPastedAgainstANodeStartedWithTheFirstCommand() throws Exception {
    String markdown = Files.readString(README);
    String startCommand = firstCommand(markdown);
    String block = firstRunBlock(markdown);
    assertThat(startCommand).startsWith("mvn ");
    assertThat(portIsFree(8080)).as("port 8080, where the README's node listens, is free")
        .isTrue();

    Path nodeOut = work.resolve("node.out");
    // the README's command as written, in the project folder; only the data goes elsewhere, so
    // that the test never touches a developer's own ./data
    ProcessBuilder node = new ProcessBuilder("setsid", "bash", "-c", startCommand)
        .directory(Path.of("").toAbsolutePath().toFile())
        .redirectErrorStream(true)
        .redirectOutput(nodeOut.toFile());
    node.environment().keySet().removeIf(key -> key.startsWith("STEPWISE_"));
    node.environment().put("STEPWISE_DATA_DIR", work.resolve("data").toString());
    Process nodeProcess = node.start();
    Process script = null;
    try {
      String token = Eventually.await("the node prints its admin token (see " + nodeOut + ")",
          START_WAIT, () -> adminToken(nodeOut, nodeProcess), t -> !t.isEmpty());
      Eventually.await("the node is ready", START_WAIT, () -> ready());

      Path scriptFile = work.resolve("first-run.sh");
      Files.writeString(scriptFile, preamble() + withToken(block, token));
      Path scriptOut = work.resolve("script.out");
      Path answers = work.resolve("answers");
      script = new ProcessBuilder("setsid", "bash", scriptFile.toString())
          .directory(work.toFile())
          .redirectOutput(scriptOut.toFile())
          .redirectError(answers.toFile())
          .start();
      assertThat(script.waitFor(120, TimeUnit.SECONDS)).as("the block finishes").isTrue();
      assertThat(script.exitValue()).as("the block's exit code; its output is in " + scriptOut)
          .isZero();

      List<String> calls = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      for (String line : Files.readAllLines(answers)) {
        Matcher answer = ANSWER.matcher(line);
        if (answer.matches()) {
          calls.add(line);
          if (!answer.group(1).startsWith("2")) {
            failed.add(line);
          }
        }
      }
      String output = Files.readString(scriptOut);
      System.out.printf("README first run: %d requests answered, %d not 2xx%n", calls.size(),
          failed.size());
      assertThat(calls).as("requests the block made").hasSizeGreaterThanOrEqualTo(10);
      assertThat(failed).as("requests answered with something else than 2xx; output:%n%s",
          output).isEmpty();
      assertThat(output).contains("\"status\":\"ready\"");

      // the stream opened with since=now delivers what the block did afterwards
      Eventually.await("the event stream delivers the started and stopped executions",
          Duration.ofSeconds(30), () -> {
            String streamed = read(scriptOut);
            return streamed.contains("event:ExecutionCreated")
                && streamed.contains("event:StopRequested")
                && streamed.contains("event:ExecutionCancelled");
          });
    } finally {
      if (script != null) {
        killGroup(script.pid()); // the block leaves its event stream running in the background
      }
      killGroup(nodeProcess.pid());
      nodeProcess.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The first line of the README's first code block, without its comment. */
  static String firstCommand(String markdown) {
    int start = markdown.indexOf("```");
    int lineStart = markdown.indexOf('\n', start) + 1;
    String line = markdown.substring(lineStart, markdown.indexOf('\n', lineStart));
    int comment = line.indexOf('#');
    return (comment >= 0 ? line.substring(0, comment) : line).strip();
  }

  /** The first {@code sh} block under the heading "A first run". */
  static String firstRunBlock(String markdown) {
    int heading = markdown.indexOf("\n## A first run");
    assertThat(heading).as("the README has a section 'A first run'").isPositive();
    int open = markdown.indexOf("```sh\n", heading);
    int close = markdown.indexOf("\n```", open + 6);
    assertThat(open).as("'A first run' has a ```sh block").isPositive();
    return markdown.substring(open + 6, close + 1);
  }

  /** The printed token goes where the README says to put it. */
  static String withToken(String block, String token) {
    Matcher placeholder = Pattern.compile("(?m)^TOKEN=\\S+").matcher(block);
    assertThat(placeholder.find()).as("the block sets TOKEN= from the printed token").isTrue();
    return placeholder.replaceFirst("TOKEN=" + token);
  }

  /**
   * Records each curl call's status, method and URL on standard error without changing what it
   * prints (the block captures ids from its output); fails the block on the first failing line.
   */
  static String preamble() {
    return "set -e\n"
        + "curl() { command curl -w '%{stderr}ANSWER %{http_code} %{method} %{url_effective}\\n'"
        + " \"$@\"; }\n";
  }

  static String adminToken(Path out, Process node) {
    if (!node.isAlive()) {
      throw new AssertionError("the node exited with " + node.exitValue() + "; see " + out);
    }
    try {
      Matcher token = Pattern.compile("Admin token: (\\S+)").matcher(Files.readString(out));
      return token.find() ? token.group(1) : "";
    } catch (IOException e) {
      return "";
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static boolean ready() {
    try {
      Process probe = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
          "http://127.0.0.1:8080/health/ready").start();
      probe.waitFor(10, TimeUnit.SECONDS);
      return new String(probe.getInputStream().readAllBytes()).equals("200");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static boolean portIsFree(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void killGroup(long groupId) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-KILL", "--", "-" + groupId).start().waitFor(10, TimeUnit.SECONDS);
  }
}
