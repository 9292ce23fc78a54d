package dev.stepwise.http;

import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * A request body as text, which must be declared JSON when there is one: a body sent as a form,
 * plain text or XML gets 415 instead of being read as JSON anyway. An empty body (the optional
 * ones of start and stop) needs no type.
 */
final class JsonBody extends AllDirectives {

  private static final JsonBody DIRECTIVES = new JsonBody();

  private JsonBody() {}

  static Route text(Function<String, Route> inner) {
    return DIRECTIVES.read(inner);
  }

  private Route read(Function<String, Route> inner) {
    return extractRequestEntity(entity -> entity(Unmarshaller.entityToString(), text -> {
      if (!text.isBlank() && !isJson(entity.getContentType())) {
        throw new ApiProblem(415, "unsupported-media-type", "Unsupported media type",
            "the body must be JSON, sent with Content-Type: application/json; it was "
                + entity.getContentType().mediaType(), java.util.Map.of());
      }
      return inner.apply(text);
    }));
  }

  private static boolean isJson(ContentType type) {
    MediaType media = type.mediaType();
    return media.mainType().equals("application")
        && (media.subType().equals("json") || media.subType().endsWith("+json"));
  }
}
