package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.http.ApiServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web page's files over plain HTTP, without a browser: served at / without a token, with a
 * policy that forbids inline and foreign code, and nothing else of the classpath.
 */
class WebRoutesIT {

  static ApiServer api;

  @BeforeAll
  static void start() {
    api = new ApiServer();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void thePageIsServedAtTheRootWithoutAToken() {
    Answer page = api.get("/", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).startsWith("text/html");
    assertThat(page.raw().body()).contains("<script src=\"app.js\" defer></script>")
        .doesNotContain("http://").doesNotContain("https://");
    assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'")
        .contains("connect-src 'self'").doesNotContain("unsafe-inline");
    assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @Test
  void itsScriptAndStyleComeWithTheirTypes() {
    Answer script = api.get("/app.js", null);
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.contentType()).contains("javascript");
    assertThat(script.raw().body()).contains("'Last-Event-ID'").contains("Authorization");
    Answer style = api.get("/style.css", null);
    assertThat(style.status()).isEqualTo(200);
    assertThat(style.contentType()).startsWith("text/css");
  }

  @Test
  void nothingElseOfTheClasspathIsServedAndTheApiStillNeedsAToken() {
    assertThat(api.get("/openapi.yaml", null).status()).isEqualTo(404);
    assertThat(api.get("/application.conf", null).status()).isEqualTo(404);
    assertThat(api.get("/web/app.js", null).status()).isEqualTo(404);
    assertThat(api.get("/api/jobs", null).status()).isEqualTo(401);
    assertThat(api.send("POST", "/", null, "{}").status()).isEqualTo(405);
  }

  @Test
  void theExecutionListAnswersPagesAndRefusesBadParameters() {
    assertThat(api.get("/api/executions", api.viewer()).json().has("items")).isTrue();
    assertThat(api.get("/api/executions?status=Cancelled&limit=5", api.viewer()).status())
        .isEqualTo(200);
    assertThat(api.get("/api/dead-letters", api.viewer()).status()).isEqualTo(200);
    assertThat(api.get("/api/executions?status=Stopped", api.viewer()).status()).isEqualTo(400);
    assertThat(api.get("/api/executions?limit=0", api.viewer()).status()).isEqualTo(400);
    assertThat(api.get("/api/executions?cursor=zzz", api.viewer()).status()).isEqualTo(400);
    assertThat(api.get("/api/executions", null).status()).isEqualTo(401);
  }
}
