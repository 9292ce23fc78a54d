package dev.stepwise.engine;

/**
 * Marker for every message, event, state and reply that crosses a node boundary or reaches the
 * journal; configuration binds it, and only it, to Pekko's jackson-cbor serializer.
 */
public interface CborSerializable {}
