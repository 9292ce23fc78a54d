package dev.stepwise.engine.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The job catalog entity alone, on an in-memory journal with serialization checks on. */
class JobCatalogTest {

  static final Config CONFIG = ConfigFactory.parseString("""
      pekko.actor.serialization-bindings {
        "dev.stepwise.engine.CborSerializable" = jackson-cbor
      }
      """).withFallback(EventSourcedBehaviorTestKit.config());

  static ActorTestKit testKit;
  EventSourcedBehaviorTestKit<JobCatalog.Command, JobCatalog.Event, JobCatalog.State> kit;

  static final JobDefinition ECHO = JobDefinition.of(StepDefinition.shell("echo", "echo", "hi"));
  static final JobDefinition NAP = JobDefinition.of(StepDefinition.sleep("nap", 1))
      .withStopGraceSeconds(5);

  @BeforeAll
  static void startTestKit() {
    testKit = ActorTestKit.create("catalog-test", CONFIG);
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshCatalog() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), JobCatalog.create());
    kit.clear();
  }

  @Test
  void definingANewJobJournalsJobDefinedWithWhoAndWhen() {
    var result = kit.<JobCatalog.Defined>runCommand(
        replyTo -> new JobCatalog.Define("nightly", ECHO, "ada", replyTo));
    assertThat(result.reply().created()).isTrue();
    assertThat(result.reply().job().version()).isEqualTo(1);
    var event = (JobCatalog.JobDefined) result.event();
    assertThat(event.name()).isEqualTo("nightly");
    assertThat(event.by()).isEqualTo("ada");
    assertThat(event.at()).isNotNull();
    assertThat(result.state().jobs()).containsKey("nightly");
  }

  @Test
  void definingATakenNameReplacesItAndKeepsTheCreator() {
    kit.<JobCatalog.Defined>runCommand(replyTo -> new JobCatalog.Define("nightly", ECHO, "ada", replyTo));
    var result = kit.<JobCatalog.Defined>runCommand(
        replyTo -> new JobCatalog.Define("nightly", NAP, "bob", replyTo));
    assertThat(result.reply().created()).isFalse();
    assertThat(result.event()).isInstanceOf(JobCatalog.JobReplaced.class);
    JobCatalog.Job job = result.reply().job();
    assertThat(job.definition()).isEqualTo(NAP);
    assertThat(job.createdBy()).isEqualTo("ada");
    assertThat(job.updatedBy()).isEqualTo("bob");
    assertThat(job.version()).isEqualTo(2);
  }

  @Test
  void deletingJournalsJobDeletedAndAnUnknownNameIsNotFound() {
    kit.<JobCatalog.Defined>runCommand(replyTo -> new JobCatalog.Define("nightly", ECHO, "ada", replyTo));
    var deleted = kit.<JobCatalog.DeleteReply>runCommand(
        replyTo -> new JobCatalog.Delete("nightly", "bob", replyTo));
    assertThat(deleted.reply()).isInstanceOf(JobCatalog.Deleted.class);
    assertThat(((JobCatalog.JobDeleted) deleted.event()).by()).isEqualTo("bob");
    assertThat(deleted.state().jobs()).isEmpty();
    var again = kit.<JobCatalog.DeleteReply>runCommand(
        replyTo -> new JobCatalog.Delete("nightly", "bob", replyTo));
    assertThat(again.reply()).isEqualTo(new JobCatalog.NotFound("nightly"));
    assertThat(again.hasNoEvents()).isTrue();
  }

  @Test
  void getAndListReadWithoutJournaling() {
    kit.<JobCatalog.Defined>runCommand(replyTo -> new JobCatalog.Define("b-job", ECHO, "ada", replyTo));
    kit.<JobCatalog.Defined>runCommand(replyTo -> new JobCatalog.Define("a-job", NAP, "ada", replyTo));
    var found = kit.<JobCatalog.GetReply>runCommand(replyTo -> new JobCatalog.Get("a-job", replyTo));
    assertThat(((JobCatalog.Found) found.reply()).job().definition()).isEqualTo(NAP);
    assertThat(found.hasNoEvents()).isTrue();
    var missing = kit.<JobCatalog.GetReply>runCommand(replyTo -> new JobCatalog.Get("c", replyTo));
    assertThat(missing.reply()).isEqualTo(new JobCatalog.NotFound("c"));
    var listing = kit.<JobCatalog.Listing>runCommand(JobCatalog.ListJobs::new);
    assertThat(listing.reply().jobs()).extracting(JobCatalog.Job::name)
        .containsExactly("a-job", "b-job");
  }

  @Test
  void theCatalogRecoversItsJobsFromTheJournal() {
    kit.<JobCatalog.Defined>runCommand(replyTo -> new JobCatalog.Define("nightly", ECHO, "ada", replyTo));
    kit.<JobCatalog.Defined>runCommand(replyTo -> new JobCatalog.Define("nightly", NAP, "bob", replyTo));
    kit.<JobCatalog.Defined>runCommand(replyTo -> new JobCatalog.Define("other", ECHO, "ada", replyTo));
    kit.<JobCatalog.DeleteReply>runCommand(replyTo -> new JobCatalog.Delete("other", "ada", replyTo));
    JobCatalog.State before = kit.getState();
    var restarted = kit.restart();
    assertThat(restarted.state()).isEqualTo(before);
    assertThat(restarted.state().jobs().get("nightly").version()).isEqualTo(2);
  }
}
