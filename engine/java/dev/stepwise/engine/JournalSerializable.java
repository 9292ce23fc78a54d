package dev.stepwise.engine;

/**
 * Marker for what an execution writes to the journal: its events and its snapshots. They are
 * stored under public names of their own rather than Java class names (see
 * {@code JournalSerializer}), so that moving or renaming a class never strands a journal. Being
 * {@link CborSerializable} too, they fall back to jackson-cbor where only that is configured.
 */
public interface JournalSerializable extends CborSerializable {}
