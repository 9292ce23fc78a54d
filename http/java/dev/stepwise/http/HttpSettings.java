package dev.stepwise.http;

import com.typesafe.config.Config;
import java.time.Duration;

/** The HTTP edge's settings, read once from {@code stepwise.*} and passed down. */
public record HttpSettings(
    String host,
    int port,
    Duration askTimeout,
    long maxBodySize,
    Duration sseHeartbeat,
    int maxBulkIds,
    JwtSettings jwt) {

  /** Bearer token settings; blank values in configuration become null. */
  public record JwtSettings(String secret, String publicKeyPem, Duration adminTokenTtl,
      Duration clockSkew) {}

  public static HttpSettings from(Config config) {
    Config http = config.getConfig("stepwise.http");
    Config jwt = config.getConfig("stepwise.jwt");
    return new HttpSettings(
        http.getString("host"),
        http.getInt("port"),
        config.getDuration("stepwise.ask-timeout"),
        http.getBytes("max-body-size"),
        http.getDuration("sse-heartbeat"),
        http.getInt("max-bulk-ids"),
        new JwtSettings(blankToNull(jwt.getString("secret")),
            blankToNull(jwt.getString("public-key")),
            jwt.getDuration("admin-token-ttl"),
            jwt.getDuration("clock-skew")));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
