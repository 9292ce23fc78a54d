package dev.stepwise.http;

import com.typesafe.config.Config;
import java.time.Duration;

/** The HTTP edge's settings, read once from {@code stepwise.*} and passed down. */
public record HttpSettings(
    String host,
    int port,
    Duration askTimeout,
    Duration liveReadTimeout,
    long maxBodySize,
    Duration sseHeartbeat,
    int maxSseClients,
    Duration requestReadTimeout,
    int maxBulkIds,
    JwtSettings jwt) {

  /**
   * Bearer token settings; blank values in configuration become null.
   *
   * @param issuer when set, a token's {@code iss} must equal it
   * @param audience when set, a token's {@code aud} must name it
   */
  public record JwtSettings(String secret, String publicKeyPem, Duration adminTokenTtl,
      Duration clockSkew, String issuer, String audience) {

    /** Without an issuer or audience to check. */
    public JwtSettings(String secret, String publicKeyPem, Duration adminTokenTtl,
        Duration clockSkew) {
      this(secret, publicKeyPem, adminTokenTtl, clockSkew, null, null);
    }
  }

  /** Fails with a message naming the setting when the values cannot work together. */
  public static HttpSettings from(Config config) {
    Config http = config.getConfig("stepwise.http");
    Config jwt = config.getConfig("stepwise.jwt");
    HttpSettings settings = new HttpSettings(
        http.getString("host"),
        http.getInt("port"),
        config.getDuration("stepwise.ask-timeout"),
        http.getDuration("live-read-timeout"),
        http.getBytes("max-body-size"),
        http.getDuration("sse-heartbeat"),
        http.getInt("max-sse-clients"),
        http.getDuration("request-read-timeout"),
        http.getInt("max-bulk-ids"),
        new JwtSettings(blankToNull(jwt.getString("secret")),
            blankToNull(jwt.getString("public-key")),
            jwt.getDuration("admin-token-ttl"),
            jwt.getDuration("clock-skew"),
            blankToNull(jwt.getString("issuer")),
            blankToNull(jwt.getString("audience"))));
    if (settings.maxSseClients() < 1) {
      throw new IllegalArgumentException("stepwise.http.max-sse-clients "
          + "(STEPWISE_HTTP_MAX_SSE_CLIENTS) must be at least 1");
    }
    if (settings.requestReadTimeout().isNegative() || settings.requestReadTimeout().isZero()) {
      throw new IllegalArgumentException("stepwise.http.request-read-timeout "
          + "(STEPWISE_HTTP_REQUEST_READ_TIMEOUT) must be longer than zero");
    }
    requireHeartbeatWithinIdleTimeout(settings.sseHeartbeat(), config);
    return settings;
  }

  /**
   * Pekko HTTP closes a connection on which nothing moved for its idle timeout, so event streams
   * stay open only if their heartbeat comes sooner.
   */
  private static void requireHeartbeatWithinIdleTimeout(Duration heartbeat, Config config) {
    String key = "pekko.http.server.idle-timeout";
    if (!config.hasPath(key) || "infinite".equals(config.getString(key))) {
      return;
    }
    Duration idle = config.getDuration(key);
    if (heartbeat.compareTo(idle) >= 0) {
      throw new IllegalArgumentException("stepwise.http.sse-heartbeat (STEPWISE_HTTP_SSE_HEARTBEAT,"
          + " " + heartbeat.toMillis() + " ms) must be shorter than pekko.http.server.idle-timeout"
          + " (STEPWISE_HTTP_IDLE_TIMEOUT, " + idle.toMillis() + " ms), or idle event streams"
          + " are cut off");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
