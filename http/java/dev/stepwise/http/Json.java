package dev.stepwise.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * The API's JSON: strict when reading (unknown fields, wrong types and trailing garbage are
 * errors that name the field), ISO-8601 times when writing.
 */
public final class Json {

  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .addModule(new Jdk8Module())
      .addModule(new ParameterNamesModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      // {"steps": [...], "steps": [...]}: parsers disagree on which one counts, so neither does
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      // a number where a string or a time belongs is a mistake, not a value to convert
      .withCoercionConfig(LogicalType.Textual, config -> config
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .addModule(new SimpleModule("iso-times-only")
          .addDeserializer(Instant.class, new IsoInstant()))
      // a job's JSON is the API's own, not the journal's form of its steps
      .addModule(JobDocument.module())
      .build();

  /**
   * Times are ISO-8601 strings only: Jackson would read a number as seconds since 1970, so that
   * {@code "startAt": 0} would silently mean "now".
   */
  private static final class IsoInstant extends StdDeserializer<Instant> {
    IsoInstant() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      if (!parser.hasToken(JsonToken.VALUE_STRING)) {
        return (Instant) context.handleUnexpectedToken(Instant.class, parser);
      }
      return InstantDeserializer.INSTANT.deserialize(parser, context);
    }
  }

  private Json() {}

  /** Parses a request body; a blank body gives null; anything malformed is a 400. */
  public static <T> T read(String body, Class<T> type) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return MAPPER.readValue(body, type);
    } catch (JsonMappingException e) {
      String at = e.getPath().stream()
          .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
          .collect(Collectors.joining(".")).replace(".[", "[");
      throw ApiProblem.badRequest((at.isEmpty() ? "body" : at) + ": " + explain(e));
    } catch (JsonProcessingException e) {
      throw ApiProblem.badRequest("body: malformed JSON: " + clip(e.getOriginalMessage()));
    }
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getName(), e);
    }
  }

  private static String explain(JsonMappingException e) {
    if (e instanceof UnrecognizedPropertyException) {
      return "unknown field";
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      return "expected " + kind(mismatch.getTargetType());
    }
    return clip(e.getOriginalMessage());
  }

  /** What a JSON author would call the type a field needs. */
  private static String kind(Class<?> type) {
    if (type == String.class) {
      return "a string";
    } else if (type == Integer.class || type == int.class || type == Long.class
        || type == long.class) {
      return "a whole number";
    } else if (Number.class.isAssignableFrom(type) || type == double.class) {
      return "a number";
    } else if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    } else if (Instant.class.isAssignableFrom(type)) {
      return "an ISO-8601 time such as 2030-01-31T12:00:00Z";
    } else if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    return "an object";
  }

  private static String clip(String message) {
    String oneLine = message == null ? "" : message.replaceAll("\\s+", " ");
    return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
  }
}
