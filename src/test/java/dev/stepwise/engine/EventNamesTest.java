package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.execution.EventNames;
import dev.stepwise.engine.execution.ExecutionEntity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventNamesTest {

  @Test
  void everyEventTypeHasOnePublicName() {
    List<Class<?>> records = new ArrayList<>();
    collect(ExecutionEntity.Event.class, records);
    assertThat(records).hasSize(14);
    assertThat(List.<Class<?>>copyOf(EventNames.all().values()))
        .containsExactlyInAnyOrderElementsOf(records);
  }

  @Test
  void publicNamesAreTheContractNotTheClassNames() {
    assertThat(new ExecutionEntity.StepStarted(0, 1, "build", java.time.Instant.EPOCH).type())
        .isEqualTo("StepStarted");
    assertThat(EventNames.typeOf("ExecutionCancelled"))
        .contains(ExecutionEntity.ExecutionCancelled.class);
    assertThat(EventNames.typeOf("ExecutionEntity$StepStarted")).isEmpty();
  }

  private static void collect(Class<?> type, List<Class<?>> into) {
    if (type.isRecord()) {
      into.add(type);
      return;
    }
    for (Class<?> sub : type.getPermittedSubclasses()) {
      collect(sub, into);
    }
  }
}
