package dev.stepwise.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * A Java Flight Recorder recording of the benchmark's JVM (node, client and all) with the JDK's
 * "profile" settings, written when the benchmark ends. Read it with
 * {@code jfr print --events jdk.ExecutionSample FILE} or {@code jfr summary FILE}.
 */
final class Profile implements AutoCloseable {

  private final Recording recording;
  private final Path file;
  private final Progress progress;

  private Profile(Recording recording, Path file, Progress progress) {
    this.recording = recording;
    this.file = file;
    this.progress = progress;
  }

  /** Starts recording when {@code file} is given; otherwise a profile that records nothing. */
  static Profile startIfAsked(String file, Progress progress) throws IOException, ParseException {
    if (file == null || file.isBlank()) {
      return new Profile(null, null, progress);
    }
    Recording recording = new Recording(Configuration.getConfiguration("profile"));
    recording.setName("stepwise-benchmark");
    recording.start();
    progress.say("recording a JFR profile into %s", file);
    return new Profile(recording, Path.of(file), progress);
  }

  @Override
  public void close() throws IOException {
    if (recording != null) {
      recording.stop();
      recording.dump(file);
      recording.close();
      progress.say("JFR profile written to %s", file);
    }
  }
}
