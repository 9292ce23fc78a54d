package dev.stepwise.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/openapi.yaml}: the API's OpenAPI 3 document, kept in the repository. */
public final class OpenApiRoutes extends AllDirectives {

  public static final String RESOURCE = "openapi.yaml";

  private final AuthDirectives auth;
  private final byte[] document;

  public OpenApiRoutes(AuthDirectives auth) {
    this.auth = auth;
    try (InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      this.document = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Route route() {
    return path("openapi.yaml", () -> get(() -> auth.authorized(Role.viewer, caller ->
        complete(HttpEntities.create(ContentTypes.create(
            MediaTypes.applicationWithFixedCharset("yaml", HttpCharsets.UTF_8)), document)))));
  }
}
