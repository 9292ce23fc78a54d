package dev.stepwise.engine.execution;

import dev.stepwise.engine.CborSerializable;

/**
 * A snapshot written before snapshots held only the {@link Execution}: the state record of that
 * time ({@code Pending}, {@code Running}, {@code Cancelling} or {@code Finished}) with the
 * execution inside. Configuration renames those classes to this one when they are read.
 */
public record LegacyStateSnapshot(Execution execution) implements CborSerializable {}
