package dev.stepwise.persistence.readside;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Text the projection writes is text PostgreSQL takes: one refused row (a NUL, a lone surrogate)
 * would stop the projection, and every list view with it, for good.
 */
class SummaryUpdatesTest {

  @Test
  void nulAndLoneSurrogatesBecomeReplacementsAndEverythingElseStays() {
    assertThat(SummaryUpdates.clip("a\u0000b", 100)).isEqualTo("a\uFFFDb");
    assertThat(SummaryUpdates.clip("x\ud800y", 100)).isEqualTo("x?y");
    assertThat(SummaryUpdates.clip("tab\tline\nrocket \ud83d\ude80 é", 100))
        .isEqualTo("tab\tline\nrocket \ud83d\ude80 é");
    assertThat(SummaryUpdates.clip(null, 100)).isNull();
  }

  @Test
  void longTextIsClippedWithoutLeavingHalfASurrogatePair() {
    assertThat(SummaryUpdates.clip("r".repeat(1500), 1000)).hasSize(1000);
    assertThat(SummaryUpdates.clip("r".repeat(999) + "\ud83d\ude80", 1000))
        .isEqualTo("r".repeat(999) + "?");
  }
}
