package dev.stepwise.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile and the Kubernetes manifests cannot run here, so they are read and checked
 * against the code and application.conf: ports, probe paths, environment names, the Secret's
 * keys, selectors and the image's entry point. A renamed setting or a moved port fails here
 * instead of in someone's cluster.
 */
class DeployFilesTest {

  static Config defaults;
  static List<String> dockerfile;
  static Map<String, JsonNode> manifests;
  static JsonNode secret;
  static JsonNode container;

  @BeforeAll
  static void read() throws IOException {
    // application.conf as shipped, without this machine's STEPWISE_* variables
    defaults = ConfigFactory.parseFile(Path.of("application.conf").toFile())
        .resolve(com.typesafe.config.ConfigResolveOptions.noSystem());
    dockerfile = joinedLines(Files.readAllLines(Path.of("Dockerfile")));
    manifests = new HashMap<>();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class)
        .readValues(Path.of("deploy", "kubernetes", "stepwise.yaml").toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        manifests.put(doc.get("kind").asText() + "/" + doc.at("/metadata/name").asText(), doc);
      }
    }
    secret = yaml.readTree(Path.of("deploy", "kubernetes", "secret.example.yaml").toFile());
    container = manifests.get("StatefulSet/stepwise").at("/spec/template/spec/containers/0");
  }

  /** Dockerfile lines with their backslash continuations joined. */
  static List<String> joinedLines(List<String> lines) {
    List<String> joined = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : lines) {
      if (line.strip().startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
      } else {
        joined.add(current.append(line).toString().strip());
        current.setLength(0);
      }
    }
    return joined;
  }

  static List<String> instructions(String keyword) {
    return dockerfile.stream().filter(l -> l.startsWith(keyword + " "))
        .map(l -> l.substring(keyword.length() + 1).strip()).toList();
  }

  static int httpPort() {
    return defaults.getInt("stepwise.http.port");
  }

  static int clusterPort() {
    return defaults.getInt("pekko.remote.artery.canonical.port");
  }

  static int managementPort() {
    return defaults.getInt("pekko.management.http.port");
  }

  @Test
  void theImageExposesTheConfiguredPortsAndRunsTheLauncherAsAnUnprivilegedUser() {
    Set<String> exposed = new HashSet<>();
    instructions("EXPOSE").forEach(l -> exposed.addAll(List.of(l.split("\\s+"))));
    assertThat(exposed).containsExactlyInAnyOrder(Integer.toString(httpPort()),
        Integer.toString(clusterPort()), Integer.toString(managementPort()));
    List<String> users = instructions("USER");
    assertThat(users).isNotEmpty();
    assertThat(users.get(users.size() - 1)).isNotIn("root", "0").doesNotStartWith("0:");
    assertThat(instructions("ENTRYPOINT")).containsExactly("[\"/opt/stepwise/bin/stepwise\"]");
    assertThat(instructions("COPY")).contains("--from=build /release /opt/stepwise");
    // the release puts the launcher at bin/stepwise, and the launcher knows the command
    assertThat(Path.of("bin", "stepwise")).isExecutable();
    assertThat(instructions("CMD").get(instructions("CMD").size() - 1)).isEqualTo("[\"node\"]");
    assertThat(instructions("ENV").get(0)).contains("STEPWISE_HTTP_HOST=0.0.0.0");
  }

  @Test
  void theHealthCheckAsksTheLivenessRouteOnTheApiPort() throws IOException {
    List<String> checks = instructions("HEALTHCHECK");
    assertThat(checks).hasSize(1);
    assertThat(checks.get(0)).contains("/health/alive")
        .contains("${STEPWISE_HTTP_PORT:-" + httpPort() + "}");
    assertThat(healthRoutes()).contains("path(\"alive\"").contains("path(\"ready\"");
  }

  @Test
  void containerPortsAndProbesMatchTheNode() throws IOException {
    Map<String, Integer> ports = new HashMap<>();
    container.get("ports").forEach(p -> ports.put(p.get("name").asText(),
        p.get("containerPort").asInt()));
    assertThat(ports).containsExactlyInAnyOrderEntriesOf(Map.of("http", httpPort(),
        "remoting", clusterPort(), "management", managementPort()));
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/alive");
    assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
    assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
    assertThat(healthRoutes()).contains("pathPrefix(\"health\"");
    // the env the pod sets agrees with the ports it declares
    Map<String, String> env = plainEnv();
    assertThat(env).containsEntry("STEPWISE_HTTP_PORT", Integer.toString(httpPort()))
        .containsEntry("STEPWISE_CLUSTER_PORT", Integer.toString(clusterPort()))
        .containsEntry("STEPWISE_MANAGEMENT_PORT", Integer.toString(managementPort()))
        .containsEntry("STEPWISE_HTTP_HOST", "0.0.0.0");
    assertThat(container.get("args").get(0).asText()).isEqualTo("node");
  }

  @Test
  void everyEnvironmentVariableIsOneTheNodeReads() throws IOException {
    Set<String> read = variablesTheNodeReads();
    List<String> set = new ArrayList<>();
    container.get("env").forEach(e -> set.add(e.get("name").asText()));
    set.removeIf(name -> name.equals("JAVA_OPTS")); // read by bin/stepwise
    assertThat(Files.readString(Path.of("bin", "stepwise"))).contains("$JAVA_OPTS");
    assertThat(set).isNotEmpty().allSatisfy(name -> assertThat(read).contains(name));
    secret.get("stringData").fieldNames()
        .forEachRemaining(name -> assertThat(read).contains(name));
    for (String line : instructions("ENV")) {
      Matcher names = Pattern.compile("(STEPWISE_\\w+)=").matcher(line);
      while (names.find()) {
        assertThat(read).contains(names.group(1));
      }
    }
  }

  @Test
  void secretsComeFromTheSecretAndItHasEveryKeyAsked() {
    Set<String> keys = new HashSet<>();
    secret.get("stringData").fieldNames().forEachRemaining(keys::add);
    List<String> fromSecret = new ArrayList<>();
    container.get("env").forEach(e -> {
      JsonNode ref = e.at("/valueFrom/secretKeyRef");
      if (!ref.isMissingNode()) {
        assertThat(ref.get("name").asText()).isEqualTo(secret.at("/metadata/name").asText());
        assertThat(keys).contains(ref.get("key").asText());
        fromSecret.add(e.get("name").asText());
      }
    });
    assertThat(fromSecret).containsExactlyInAnyOrder("STEPWISE_DB_URL", "STEPWISE_DB_USER",
        "STEPWISE_DB_PASSWORD", "STEPWISE_JWT_SECRET");
  }

  @Test
  void podsFormTheirClusterThroughKubernetesApiBootstrap() {
    Map<String, String> env = plainEnv();
    assertThat(env).containsEntry("STEPWISE_DISCOVERY", "kubernetes-api")
        .doesNotContainKey("STEPWISE_SEED_NODES");
    JsonNode podIp = container.get("env").findParent("fieldPath");
    assertThat(podIp.get("fieldPath").asText()).isEqualTo("status.podIP");
    // discovery finds pods by app=<service name>, and these pods carry that label
    String service = defaults.getString(
        "pekko.management.cluster.bootstrap.contact-point-discovery.service-name");
    assertThat(defaults.getString("pekko.discovery.kubernetes-api.pod-label-selector"))
        .isEqualTo("app=%s");
    JsonNode set = manifests.get("StatefulSet/stepwise");
    assertThat(set.at("/spec/template/metadata/labels/app").asText()).isEqualTo(service);
    assertThat(Integer.parseInt(env.get("STEPWISE_BOOTSTRAP_REQUIRED_CONTACTS")))
        .isLessThanOrEqualTo(set.at("/spec/replicas").asInt());
    assertThat(set.at("/spec/podManagementPolicy").asText()).isEqualTo("Parallel");
    assertThat(set.at("/spec/template/spec/serviceAccountName").asText()).isEqualTo("stepwise");
    JsonNode rule = manifests.get("Role/stepwise-pod-reader").at("/rules/0");
    assertThat(rule.get("resources").toString()).contains("pods");
    assertThat(rule.get("verbs").toString()).contains("get", "watch", "list");
    assertThat(set.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
  }

  @Test
  void servicesAndTheDisruptionBudgetSelectThePods() {
    JsonNode set = manifests.get("StatefulSet/stepwise");
    JsonNode labels = set.at("/spec/template/metadata/labels");
    JsonNode headless = manifests.get("Service/" + set.at("/spec/serviceName").asText());
    assertThat(headless).as("the StatefulSet's serviceName names a Service").isNotNull();
    assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
    assertThat(headless.at("/spec/publishNotReadyAddresses").asBoolean()).isTrue();
    assertThat(headless.at("/spec/selector")).isEqualTo(labels);
    assertThat(manifests.get("Service/stepwise").at("/spec/selector")).isEqualTo(labels);
    assertThat(manifests.get("Service/stepwise").at("/spec/ports/0/port").asInt())
        .isEqualTo(httpPort());
    JsonNode budget = manifests.get("PodDisruptionBudget/stepwise");
    assertThat(budget.at("/spec/selector/matchLabels")).isEqualTo(labels);
    assertThat(budget.at("/spec/minAvailable").asInt())
        .as("a majority of the replicas stays up").isGreaterThan(set.at("/spec/replicas").asInt() / 2);
  }

  private static Map<String, String> plainEnv() {
    Map<String, String> env = new HashMap<>();
    container.get("env").forEach(e -> {
      if (e.has("value")) {
        env.put(e.get("name").asText(), e.get("value").asText());
      }
    });
    return env;
  }

  private static String healthRoutes() throws IOException {
    return Files.readString(Path.of("http", "java", "dev", "stepwise", "http", "HealthRoutes.java"));
  }

  /**
   * The STEPWISE_* variables a node reads: the {@code ${?NAME}} overrides of application.conf,
   * the names the code looks up ({@code get("NAME")}) and those the logging configuration uses.
   */
  private static Set<String> variablesTheNodeReads() throws IOException {
    Set<String> names = new HashSet<>();
    collect(Files.readString(Path.of("application.conf")), "\\$\\{\\?(STEPWISE_\\w+)\\}", names);
    for (String root : List.of("engine", "persistence", "http")) {
      try (Stream<Path> files = Files.walk(Path.of(root))) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          String text = Files.readString(file);
          if (file.toString().endsWith(".java")) {
            collect(text, "get(?:OrDefault)?\\(\"(STEPWISE_\\w+)\"", names);
          } else if (file.toString().endsWith(".xml")) {
            collect(text, "\\$\\{(STEPWISE_\\w+)", names);
          }
        }
      }
    }
    return names;
  }

  private static void collect(String text, String regex, Set<String> names) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
  }
}
