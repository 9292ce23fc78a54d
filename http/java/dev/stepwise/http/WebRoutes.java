package dev.stepwise.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import java.util.List;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /}: the operators' web page, plain files from the classpath folder {@code web/}.
 * Open without a token, because the page holds nothing secret: it signs in by itself and sends
 * the token on every API call it makes, in a header, never in a URL.
 */
public final class WebRoutes extends AllDirectives {

  private static final String FOLDER = "web/";
  /** Only these files, so the page never shadows another route or exposes the classpath. */
  private static final Set<String> ASSETS = Set.of("app.js", "style.css");
  /**
   * No inline script or style and no other origin: the page works only with its own files, so
   * an injected string in a job name or a step's output can never run.
   */
  private static final List<HttpHeader> HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", "default-src 'none'; script-src 'self';"
          + " style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none';"
          + " form-action 'none'; frame-ancestors 'none'"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      RawHeader.create("Cache-Control", "no-cache"));

  /**
   * The paths are matched before the method: a {@code get} that matched first would cancel the
   * API's "method not allowed" rejections and turn its 405s into 404s.
   */
  public Route route() {
    return concat(
        pathSingleSlash(() -> file("index.html")),
        path(segment(), name -> ASSETS.contains(name) ? file(name) : reject()));
  }

  private Route file(String name) {
    return get(() -> respondWithHeaders(HEADERS, () -> getFromResource(FOLDER + name)));
  }
}
