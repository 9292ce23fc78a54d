package dev.stepwise.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.ConfigFactory;
import dev.stepwise.engine.CborSerializable;
import dev.stepwise.engine.execution.EventNames;
import dev.stepwise.engine.execution.Execution;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.LegacyStateSnapshot;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobCatalog;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.RetryPolicy;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.http.NodeConfig;
import dev.stepwise.persistence.schema.JournalSerializer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Optional;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events are a schema: bytes that an earlier release journaled must still read. The fixtures in
 * {@code src/test/resources/event-fixtures/v1} are one event of each type as release 1 wrote them;
 * run this class with {@code -Dstepwise.writeEventFixtures=v<N>} to add the current version's.
 */
class EventSchemaTest {

  static final Instant AT = Instant.parse("2026-11-28T12:00:00Z");
  static ActorSystem system;
  static Serialization serialization;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("schema", NodeConfig.load(ConfigFactory.parseString(
        "pekko.actor.provider = local"), Map.of()));
    serialization = SerializationExtension.get(system);
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  /** One event of each type with every field set, in the current schema. */
  static Map<String, ExecutionEntity.Event> currentSamples() {
    Map<String, ExecutionEntity.Event> samples = new LinkedHashMap<>();
    JobDefinition job = new JobDefinition("nightly", List.of(
        StepDefinition.shell("extract", "bash", "-c", "true").withEnv(Map.of("MODE", "full"))
            .withRetry(3, 1.5).withTimeoutSeconds(60),
        StepDefinition.sleep("nap", 2)), 600, 30, false,
        List.of(StepDefinition.shell("cleanup", "true")));
    add(samples, new ExecutionEntity.ExecutionCreated("e-1", "nightly", job, AT, "alice",
        "e-0", AT));
    add(samples, new ExecutionEntity.ExecutionStarted(AT));
    add(samples, new ExecutionEntity.StepStarted(0, 1, "extract", AT));
    add(samples, new ExecutionEntity.StepSucceeded(0, 1, 0, "out", AT));
    add(samples, new ExecutionEntity.StepFailed(1, 2, 3, "out", "exited with code 3", AT));
    add(samples, new ExecutionEntity.StepInterrupted(1, 2, "killed by a force stop", AT));
    add(samples, new ExecutionEntity.RetryScheduled(1, 3, AT.plusSeconds(5), AT));
    add(samples, new ExecutionEntity.StopRequested(StopMode.graceful, "bad deploy", "bob",
        AT.plusSeconds(30), AT));
    add(samples, new ExecutionEntity.StopEscalated("grace passed", "stepwise", AT));
    add(samples, new ExecutionEntity.ExecutionSucceeded(AT));
    add(samples, new ExecutionEntity.ExecutionFailed("step 'a' failed", AT));
    add(samples, new ExecutionEntity.ExecutionDeadLettered("step 'a' failed", AT));
    add(samples, new ExecutionEntity.ExecutionTimedOut("too slow", AT));
    add(samples, new ExecutionEntity.ExecutionCancelled(AT));
    return samples;
  }

  private static void add(Map<String, ExecutionEntity.Event> samples, ExecutionEntity.Event e) {
    samples.put(e.getClass().getSimpleName(), e);
  }

  /** What the release-1 fixtures read as today: fields added later take their defaults. */
  static Map<String, ExecutionEntity.Event> release1AsReadToday() {
    Map<String, ExecutionEntity.Event> today = currentSamples(); // release 1 had every type
    today.put("StepStarted", new ExecutionEntity.StepStarted(0, 1, null, AT));
    return today;
  }

  @Test
  void everyEventTypeHasARelease1Fixture() {
    List<String> types = new ArrayList<>();
    collect(ExecutionEntity.Event.class, types);
    assertThat(currentSamples().keySet()).containsExactlyInAnyOrderElementsOf(types);
    for (String type : types) {
      assertThat(getClass().getResource("/event-fixtures/v1/" + type + ".cbor"))
          .as("fixture of " + type).isNotNull();
    }
  }

  @Test
  void eventsJournaledByRelease1StillRead() throws IOException {
    for (Entry<String, ExecutionEntity.Event> expected : release1AsReadToday().entrySet()) {
      byte[] bytes;
      try (InputStream in = getClass().getResourceAsStream(
          "/event-fixtures/v1/" + expected.getKey() + ".cbor")) {
        bytes = in.readAllBytes();
      }
      String manifest = expected.getValue().getClass().getName(); // release 1 had no "#2"
      Object read = serialization.deserialize(bytes, jacksonCbor(), manifest).get();
      assertThat(read).as(expected.getKey()).isEqualTo(expected.getValue());
    }
  }

  @Test
  void eventsJournaledUnderTheirClassNamesStillRead() {
    // the releases before public names wrote with jackson-cbor, an evolved event as "Class#N"
    var event = new ExecutionEntity.StepStarted(0, 1, "extract", AT);
    byte[] bytes = serialization.serialize(event).get();
    assertThat(serialization.deserialize(bytes, jacksonCbor(),
        event.getClass().getName() + "#2").get()).isEqualTo(event);
  }

  @Test
  void eventsGoToTheJournalUnderTheirPublicNames() throws Exception {
    for (Entry<String, ExecutionEntity.Event> sample : currentSamples().entrySet()) {
      ExecutionEntity.Event event = sample.getValue();
      var serializer = serialization.findSerializerFor(event);
      assertThat(serializer.identifier()).isEqualTo(JournalSerializer.IDENTIFIER);
      assertThat(Serializers.manifestFor(serializer, event)).isEqualTo(sample.getKey())
          .isEqualTo(EventNames.of(event));
      byte[] bytes = serialization.serialize(event).get();
      assertThat(serialization.deserialize(bytes, serializer.identifier(), sample.getKey()).get())
          .isEqualTo(event);
      // the same CBOR that jackson-cbor wrote, so nothing but the manifest changed
      assertThat(serialization.deserialize(bytes, jacksonCbor(), event.getClass().getName())
          .get()).isEqualTo(event);
    }
  }

  @Test
  void snapshotsHoldTheExecutionAlone() {
    Execution execution = sampleExecution();
    var serializer = serialization.findSerializerFor(execution);
    assertThat(serializer.identifier()).isEqualTo(JournalSerializer.IDENTIFIER);
    assertThat(Serializers.manifestFor(serializer, execution)).isEqualTo("Execution");
    byte[] bytes = serialization.serialize(execution).get();
    assertThat(serialization.deserialize(bytes, serializer.identifier(), "Execution").get())
        .isEqualTo(execution);
  }

  @Test
  void snapshotsOfTheEarlierStateRecordsStillRead() {
    // each state record of that time was {"execution": ...}, written by jackson-cbor
    Execution execution = sampleExecution();
    byte[] bytes = serialization.serialize(new LegacyStateSnapshot(execution)).get();
    for (String record : List.of("Pending", "Running", "Cancelling", "Finished")) {
      Object read = serialization.deserialize(bytes, jacksonCbor(),
          "dev.stepwise.engine.execution.ExecutionEntity$" + record).get();
      assertThat(read).as(record).isEqualTo(new LegacyStateSnapshot(execution));
    }
  }

  private static Execution sampleExecution() {
    Map<String, ExecutionEntity.Event> samples = currentSamples();
    return Execution.replay(List.of(samples.get("ExecutionCreated"),
        samples.get("ExecutionStarted"), samples.get("StepStarted"),
        samples.get("StopRequested"))).orElseThrow();
  }

  @Test
  void writeFixturesWhenAsked() throws IOException {
    String version = System.getProperty("stepwise.writeEventFixtures");
    if (version == null) {
      return;
    }
    Path dir = Path.of("src/test/resources/event-fixtures", version);
    Files.createDirectories(dir);
    for (Entry<String, ExecutionEntity.Event> sample : currentSamples().entrySet()) {
      Files.write(dir.resolve(sample.getKey() + ".cbor"),
          serialization.serialize(sample.getValue()).get());
      assertThat(Serializers.manifestFor(serialization.findSerializerFor(sample.getValue()),
          sample.getValue())).isEqualTo(sample.getKey());
    }
  }

  /** A job with a step of each type, every field of each set. */
  static JobDefinition everyStepType() {
    return new JobDefinition("nightly", List.of(
        new StepDefinition.Shell("extract", List.of("bash", "-c", "true"), Map.of("MODE", "full"),
            "/srv", 60, new RetryPolicy(3, 1.5)),
        new StepDefinition.Http("notify", "POST", "http://127.0.0.1:9000/hook",
            Map.of("X-Run", "nightly"), "done", "200-299", 10, new RetryPolicy(2, 0)),
        StepDefinition.sleep("nap", 2.5).withTimeoutSeconds(5),
        StepDefinition.custom("count", "noop", Map.of("TIMES", "3")).withRetry(4, 2)),
        600, 30, false, List.of(StepDefinition.custom("cleanup", "gate", null)));
  }

  @Test
  void everyStepTypeReadsBackAsItselfFromTheJournal() {
    var created = new ExecutionEntity.ExecutionCreated("e-1", "nightly", everyStepType(), AT,
        "alice", null, AT);
    var defined = new JobCatalog.JobDefined("nightly", everyStepType(), "alice", AT);
    for (Object event : List.of(created, defined)) {
      byte[] bytes = serialization.serialize(event).get();
      String manifest = Serializers.manifestFor(serialization.findSerializerFor(event), event);
      // records of different classes are never equal, so each step came back as its own type
      assertThat(serialization.deserialize(bytes, serializerId(event), manifest).get())
          .isEqualTo(event);
    }
  }

  /** The step of release 1: one record with every type's fields. */
  record Release1Step(String name, String type, List<String> command, Map<String, String> env,
      String workDir, String method, String url, Map<String, String> headers, String body,
      String expectStatus, Double seconds, Integer timeoutSeconds, RetryPolicy retry,
      Map<String, String> params) {}

  @Test
  void release1ReadsTheStepsJournaledNow() throws IOException {
    var created = new ExecutionEntity.ExecutionCreated("e-1", "nightly", everyStepType(), AT,
        "alice", null, AT);
    ObjectMapper cbor = JacksonObjectMapperProvider.get(system)
        .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    JsonNode definition = cbor.readTree(serialization.serialize(created).get()).get("definition");
    List<Release1Step> steps = new ArrayList<>();
    for (JsonNode step : definition.get("steps")) {
      steps.add(cbor.treeToValue(step, Release1Step.class));
    }
    assertThat(steps).containsExactly(
        new Release1Step("extract", "shell", List.of("bash", "-c", "true"),
            Map.of("MODE", "full"), "/srv", null, null, null, null, null, null, 60,
            new RetryPolicy(3, 1.5), null),
        new Release1Step("notify", "http", null, null, null, "POST", "http://127.0.0.1:9000/hook",
            Map.of("X-Run", "nightly"), "done", "200-299", null, 10, new RetryPolicy(2, 0), null),
        new Release1Step("nap", "sleep", null, null, null, null, null, null, null, null, 2.5, 5,
            null, null),
        new Release1Step("count", "noop", null, null, null, null, null, null, null, null, null,
            null, new RetryPolicy(4, 2), Map.of("TIMES", "3")));
    assertThat(cbor.treeToValue(definition.get("onCancel").get(0), Release1Step.class))
        .isEqualTo(new Release1Step("cleanup", "gate", null, null, null, null, null, null, null,
            null, null, null, null, null));
  }

  private static int serializerId(Object event) {
    return serialization.findSerializerFor(event).identifier();
  }

  /** The serializer every event went through before they had public names. */
  private static int jacksonCbor() {
    try {
      return serialization.serializerFor(CborSerializable.class).identifier();
    } catch (java.io.NotSerializableException e) {
      throw new AssertionError("jackson-cbor is not bound", e);
    }
  }

  private static void collect(Class<?> type, List<String> into) {
    if (type.isRecord()) {
      into.add(type.getSimpleName());
      return;
    }
    for (Class<?> sub : type.getPermittedSubclasses()) {
      collect(sub, into);
    }
  }
}
