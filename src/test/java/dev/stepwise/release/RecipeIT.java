package dev.stepwise.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
 * The three-node recipe of docs/operations.md, read out of the markdown and run as written in one
 * bash, from the release tarball, with a local PostgreSQL from {@code bin/stepwise postgres} and
 * cluster bootstrap: three Up members on every node, and an execution started through one node
 * and stopped by force through another. Only the {@code mvn} line is left out: the suite's
 * package phase has just built the same tarball, and a Maven inside Maven would rebuild target/
 * under the running tests.
 *
 * <p>The recipe uses fixed ports (5432, 8080-8082, 25520-25522, 7626-7628), as a reader's machine
 * would; so that it neither meets nor disturbs anything else on this machine, it runs in a
 * network namespace of its own ({@code unshare -rn}) with only a loopback interface.
 */
class RecipeIT {

  static final Path DOC = Path.of("docs", "operations.md");
  static final String SECTION = "### Three nodes on one machine";
  static final Duration WAIT = Duration.ofMinutes(6);

  @TempDir Path dir;

  /** The sh blocks of the section, in order, each dedented as the markdown list indents it. */
  static List<String> recipeBlocks() throws IOException {
    List<String> lines = Files.readAllLines(DOC);
    int start = lines.indexOf(SECTION);
    assertThat(start).as(SECTION + " in " + DOC).isNotNegative();
    List<String> blocks = new ArrayList<>();
    StringBuilder block = null;
    int indent = 0;
    for (String line : lines.subList(start + 1, lines.size())) {
      if (block == null && (line.startsWith("## ") || line.startsWith("### "))) {
        break;
      }
      String stripped = line.strip();
      if (block == null && stripped.equals("```sh")) {
        block = new StringBuilder();
        indent = line.indexOf('`');
      } else if (block != null && stripped.equals("```")) {
        blocks.add(block.toString());
        block = null;
      } else if (block != null) {
        block.append(line.length() >= indent ? line.substring(indent) : stripped).append('\n');
      }
    }
    return blocks;
  }

  /** The last lines of each log the recipe writes, to tell why it did not finish. */
  static String logTails(Path home) throws IOException {
    StringBuilder tails = new StringBuilder();
    for (String log : List.of("postgres.log", "node0.log", "node1.log", "node2.log")) {
      Path file = home.resolve(log);
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file);
        tails.append("---- ").append(log).append(" (last 15 lines)\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())))
            .append('\n');
      }
    }
    return tails.toString();
  }

  @Test
  void theThreeNodeRecipeRunsAsWritten() throws Exception {
    List<String> blocks = recipeBlocks();
    assertThat(blocks).hasSizeGreaterThanOrEqualTo(5);
    StringBuilder script = new StringBuilder();
    List<String> skipped = new ArrayList<>();
    for (String block : blocks) {
      for (String line : block.split("\n", -1)) {
        if (line.startsWith("mvn ")) {
          skipped.add(line);
        } else {
          script.append(line).append('\n');
        }
      }
    }
    assertThat(skipped).as("the one build line left out").hasSize(1)
        .allSatisfy(line -> assertThat(line).contains(" package"));
    Path recipe = Files.writeString(dir.resolve("recipe.sh"), script.toString());

    // the clone as the recipe expects it: target/ holding the tarball
    Path target = Files.createDirectories(dir.resolve("clone").resolve("target"));
    Path tarball = ReleaseArtifact.tarball().toAbsolutePath();
    Files.createSymbolicLink(target.resolve(tarball.getFileName()), tarball);

    ProcessBuilder builder = new ProcessBuilder("unshare", "-rn", "bash", "-c",
        "ip link set lo up && exec bash " + recipe)
        .directory(dir.resolve("clone").toFile())
        .redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> key.startsWith("STEPWISE_"));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().put("PATH", "/usr/sbin:/sbin:" + System.getenv("PATH"));
    ReleaseArtifact.Running run = new ReleaseArtifact.Running(builder.start());
    boolean ended = false;
    List<ProcessHandle> left;
    try {
      ended = run.process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      // whatever the recipe left running (it should have stopped everything itself)
      left = run.process.descendants().filter(ProcessHandle::isAlive).toList();
      left.forEach(ProcessHandle::destroyForcibly);
      run.process.destroyForcibly();
      // PostgreSQL's server detaches from the process that started it; find it by its folder
      String folder = dir.toString();
      ProcessHandle.allProcesses()
          .filter(p -> p.info().commandLine().orElse("").contains(folder))
          .forEach(ProcessHandle::destroy);
    }
    Path home = Files.list(target).filter(Files::isDirectory).findFirst().orElseThrow();
    assertThat(ended).as("the recipe ended within " + WAIT.toMinutes() + " min; its output:\n"
        + String.join("\n", run.lines) + "\n" + logTails(home)).isTrue();
    assertThat(left).as("processes the recipe left running").isEmpty();
    String output = String.join("\n", run.lines);

    for (int port : new int[] {8080, 8081, 8082}) {
      assertThat(output).as("node on " + port + " became ready; see " + home).contains(" " + port);
    }
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> views = new ArrayList<>();
    for (String line : run.lines) {
      if (line.startsWith("{") && line.contains("\"members\"")) {
        views.add(json.readTree(line));
      }
    }
    assertThat(views).as("each node's /api/cluster, in:\n" + output).hasSize(3);
    for (JsonNode view : views) {
      assertThat(view.get("members")).hasSize(3)
          .allSatisfy(member -> assertThat(member.get("status").asText()).isEqualTo("Up"));
    }
    // started through 8081, stopped by force through 8082, shown through 8080
    Matcher stopped = Pattern.compile("^([0-9a-f-]{36})\\s+Cancelled\\s+force$", Pattern.MULTILINE)
        .matcher(output);
    assertThat(stopped.find()).as("a stop answered Cancelled, in:\n" + output).isTrue();
    assertThat(output).contains("status:      Cancelled").contains("job nap applied");
    assertThat(output).contains("trying the cluster");
    assertThat(Files.readString(home.resolve("postgres.log"))).contains("PostgreSQL is ready");
  }
}
