package dev.stepwise.persistence.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.stepwise.engine.execution.EventNames;
import dev.stepwise.engine.execution.Execution;
import dev.stepwise.engine.execution.ExecutionEntity;
import java.io.IOException;
import java.io.NotSerializableException;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Writes executions' events and snapshots to the journal as CBOR, under their public names
 * ({@link EventNames}, and {@code Execution} for a snapshot) instead of Java class names. The
 * bytes are those Pekko's jackson-cbor serializer writes, with the same object mapper; rows that
 * it wrote before keep its identifier and class-name manifests, and it still reads them.
 *
 * <p>No event has changed shape since the public names; when one does, it is written here as
 * {@code Name#2} and its earlier shape is read into the new record here too.
 */
public final class JournalSerializer extends SerializerWithStringManifest {

  /** Stored with every row this serializer writes; it never changes. */
  public static final int IDENTIFIER = 7301;

  static final String SNAPSHOT = "Execution";

  private final ObjectMapper cbor;

  public JournalSerializer(ExtendedActorSystem system) {
    this.cbor = JacksonObjectMapperProvider.get(system)
        .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof ExecutionEntity.Event event) {
      return EventNames.of(event);
    }
    if (o instanceof Execution) {
      return SNAPSHOT;
    }
    throw new IllegalArgumentException("not an execution's event or snapshot: " + o.getClass());
  }

  @Override
  public byte[] toBinary(Object o) {
    manifest(o); // refuses anything else
    try {
      return cbor.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + manifest(o) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    Class<?> type = SNAPSHOT.equals(manifest) ? Execution.class
        : EventNames.typeOf(manifest).orElseThrow(() -> new NotSerializableException(
            "unknown journal manifest '" + manifest + "': written by a newer release?"));
    try {
      return cbor.readValue(bytes, type);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + manifest + ": " + e.getMessage(), e);
    }
  }
}
