package dev.stepwise.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The management addresses that config-based cluster bootstrap contacts, from
 * {@code STEPWISE_BOOTSTRAP_ENDPOINTS="host:port,host:port"}, written where Pekko's config
 * discovery reads its service (a list of objects, which an environment variable cannot set).
 */
final class ContactPoints {

  private ContactPoints() {}

  static Config fromEnvironment(Map<String, String> environment, Config config) {
    String listed = environment.get("STEPWISE_BOOTSTRAP_ENDPOINTS");
    if (listed == null || listed.isBlank()) {
      return config;
    }
    List<Map<String, Object>> endpoints = new ArrayList<>();
    for (String entry : listed.split(",")) {
      String endpoint = entry.strip();
      int colon = endpoint.lastIndexOf(':');
      if (colon <= 0 || !endpoint.substring(colon + 1).matches("\\d{1,5}")) {
        throw new IllegalArgumentException("STEPWISE_BOOTSTRAP_ENDPOINTS: '" + endpoint
            + "' is not host:port (each node's management address, port 7626 by default)");
      }
      endpoints.add(Map.of("host", endpoint.substring(0, colon),
          "port", Integer.parseInt(endpoint.substring(colon + 1))));
    }
    String service = config.getString(
        "pekko.management.cluster.bootstrap.contact-point-discovery.service-name");
    return ConfigFactory.parseMap(Map.of(
            "pekko.discovery.config.services." + service + ".endpoints", endpoints))
        .withFallback(config);
  }
}
