package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KnownExecutionsTest {

  @Test
  void keepsTheMostRecentlyUsedIdsUpToItsCapacity() {
    KnownExecutions known = new KnownExecutions(2);
    known.add("a");
    known.add("b");
    assertThat(known.contains("a")).isTrue(); // "a" is now the most recently used
    known.add("c");
    assertThat(known.contains("a")).isTrue();
    assertThat(known.contains("b")).as("the least recently used one fell out").isFalse();
    assertThat(known.contains("c")).isTrue();
    assertThat(known.contains("never")).isFalse();
  }
}
