package dev.stepwise.engine.step;

import dev.stepwise.engine.CborSerializable;

/** A step child's report to its execution: which attempt of which step ended, and how. */
public record StepOutcome(int index, int attempt, StepResult result) implements CborSerializable {}
