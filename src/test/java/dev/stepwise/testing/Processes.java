package dev.stepwise.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the live processes of a step by a marker in their environment, which every process the
 * step starts inherits, background children and grandchildren included.
 */
public final class Processes {

  private Processes() {}

  /** Pids of running (not zombie) processes whose environment holds {@code name=value}. */
  public static List<Long> withEnv(String name, String value) {
    byte[] needle = (name + "=" + value).getBytes(StandardCharsets.UTF_8);
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .forEach(dir -> {
            try {
              byte[] environ = Files.readAllBytes(dir.resolve("environ"));
              if (contains(environ, needle) && running(dir)) {
                pids.add(Long.parseLong(dir.getFileName().toString()));
              }
            } catch (IOException | RuntimeException e) {
              // the process ended while we looked, or is not ours to read
            }
          });
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return pids;
  }

  private static boolean running(Path dir) throws IOException {
    String stat = Files.readString(dir.resolve("stat"));
    char state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state != 'Z' && state != 'X';
  }

  private static boolean contains(byte[] environ, byte[] needle) {
    outer:
    for (int start = 0; start + needle.length <= environ.length; start++) {
      if (start > 0 && environ[start - 1] != 0) {
        continue;
      }
      for (int i = 0; i < needle.length; i++) {
        if (environ[start + i] != needle[i]) {
          continue outer;
        }
      }
      if (start + needle.length == environ.length || environ[start + needle.length] == 0) {
        return true;
      }
    }
    return false;
  }
}
