package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.http.ApiMessages.StartRequest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The API's JSON reading is strict: what a lenient parser would guess at is a 400 here. */
class JsonTest {

  static void refused(String body, Class<?> type, String why) {
    assertThatThrownBy(() -> Json.read(body, type)).isInstanceOf(ApiProblem.class)
        .hasMessageContaining(why)
        .satisfies(e -> assertThat(((ApiProblem) e).status()).isEqualTo(400));
  }

  @Test
  void aDuplicateKeyIsRefusedRatherThanOneOfThemWinning() {
    refused("{\"steps\":[],\"steps\":[{\"name\":\"a\"}]}", JobDefinition.class, "steps");
  }

  @Test
  void numbersAndBooleansAreNotTurnedIntoStrings() {
    refused("{\"steps\":[{\"name\":\"a\",\"type\":\"shell\",\"command\":[1,2]}]}",
        JobDefinition.class, "steps[0].command[0]: expected a string");
    refused("{\"description\":true,\"steps\":[]}", JobDefinition.class,
        "description: expected a string");
  }

  @Test
  void aNumberIsNotATime() {
    refused("{\"startAt\":0}", StartRequest.class, "startAt");
    refused("{\"startAt\":1.5}", StartRequest.class, "startAt");
  }

  @Test
  void anIsoTimeStillReads() {
    assertThat(Json.read("{\"startAt\":\"2030-01-31T12:00:00Z\"}", StartRequest.class).startAt())
        .isEqualTo(Instant.parse("2030-01-31T12:00:00Z"));
  }

  @Test
  void deepNestingIsRefusedNotAStackOverflow() {
    refused("[".repeat(100_000), JobDefinition.class, "");
    refused("{\"description\":" + "[".repeat(5_000) + "]".repeat(5_000) + ",\"steps\":[]}",
        JobDefinition.class, "");
  }
}
