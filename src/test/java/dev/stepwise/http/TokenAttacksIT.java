package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.stepwise.http.ApiServer.Answer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Token attacks against a running node that accepts HS256 (a secret) and RS256 (a public key)
 * tokens from one issuer for one audience: each attack is a test of its own and must be refused,
 * 401 when the token is not good, 403 when it is good but its roles are not enough.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TokenAttacksIT {

  static final String ISSUER = "https://id.example/stepwise";
  static final String AUDIENCE = "stepwise-api";

  static KeyPair rsa;
  static KeyPair attackerRsa;
  static KeyPair attackerEc;
  static ApiServer api;
  static String running;
  static final AtomicInteger tried = new AtomicInteger();
  static final AtomicInteger refused = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    rsa = generator.generateKeyPair();
    attackerRsa = generator.generateKeyPair();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(256);
    attackerEc = ec.generateKeyPair();
    api = new ApiServer(Map.of(
        "stepwise.jwt.public-key", pem(rsa),
        "stepwise.jwt.issuer", ISSUER,
        "stepwise.jwt.audience", AUDIENCE));
    assertThat(api.put("/api/jobs/sleepy", api.admin(),
        "{\"steps\":[{\"name\":\"nap\",\"type\":\"sleep\",\"seconds\":600}]}").status())
        .isEqualTo(201);
    Answer started = api.post("/api/jobs/sleepy/executions", api.operator(), null);
    assertThat(started.status()).isEqualTo(202);
    running = started.json().get("id").asText();
  }

  @AfterAll
  static void stop() {
    System.out.printf("%nToken attacks against a running node: %d tried, %d refused%n",
        tried.get(), refused.get());
    api.close();
  }

  static String pem(KeyPair keys) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  // ---------------------------------------------------------------- forging tokens

  /** The claims of a good token: right issuer and audience, an hour to live. */
  static JWTClaimsSet.Builder good(String... roles) {
    return new JWTClaimsSet.Builder().subject("mallory").claim("roles", List.of(roles))
        .issuer(ISSUER).audience(AUDIENCE).issueTime(new Date())
        .expirationTime(Date.from(Instant.now().plusSeconds(3600)));
  }

  static String hs256(JWTClaimsSet claims, byte[] key) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(key));
      return jwt.serialize();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String hs256(JWTClaimsSet claims) {
    return hs256(claims, ApiServer.SECRET.getBytes(StandardCharsets.UTF_8));
  }

  static String signed(JWSHeader header, JWTClaimsSet claims, java.security.PrivateKey key) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(key instanceof ECPrivateKey ec ? new ECDSASigner(ec) : new RSASSASigner(key));
      return jwt.serialize();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String rs256(JWTClaimsSet claims) {
    return signed(new JWSHeader(JWSAlgorithm.RS256), claims, rsa.getPrivate());
  }

  static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  static String unsigned(String alg, String signature) {
    return b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "."
        + b64("{\"sub\":\"mallory\",\"roles\":[\"admin\"],\"iss\":\"" + ISSUER + "\",\"aud\":\""
            + AUDIENCE + "\",\"exp\":" + (Instant.now().getEpochSecond() + 3600) + "}") + "."
        + signature;
  }

  /** A good viewer token whose payload now says admin; the signature is the viewer's. */
  static String escalatedPayload() {
    String[] parts = hs256(good("viewer").build()).split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("\"viewer\"", "\"admin\"");
    return parts[0] + "." + b64(payload) + "." + parts[2];
  }

  /** A good HS256 token relabelled RS256, so a careless verifier might try the public key. */
  static String relabelledHeader() {
    String[] parts = hs256(good("admin").build()).split("\\.");
    return b64("{\"alg\":\"RS256\"}") + "." + parts[1] + "." + parts[2];
  }

  static String embeddedKey() {
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
        .jwk(new RSAKey.Builder((RSAPublicKey) attackerRsa.getPublic()).build())
        .jwkURL(URI.create("http://attacker.invalid/jwks.json"))
        .keyID("../../../dev/null")
        .type(JOSEObjectType.JWT)
        .build();
    return signed(header, good("admin").build(), attackerRsa.getPrivate());
  }

  // ---------------------------------------------------------------- the attacks

  /** One attack: a request, and the refusal it must get. */
  record Attack(String name, int expected, String method, String path, String token,
      String... headers) {

    static Attack token(String name, int expected, String token) {
      return new Attack(name, expected, "GET", "/api/jobs", token);
    }

    Answer send() {
      String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
      if (method.equals("PUT")) {
        body = "{\"steps\":[{\"name\":\"a\",\"type\":\"shell\",\"command\":[\"id\"]}]}";
      }
      return api.send(method, path, token, body, headers);
    }
  }

  static List<Attack> attacks() {
    List<Attack> attacks = new ArrayList<>();
    // no token, or not a bearer token
    attacks.add(Attack.token("no token", 401, null));
    attacks.add(new Attack("Basic credentials", 401, "GET", "/api/jobs", null,
        "Authorization", "Basic YWRtaW46YWRtaW4="));
    attacks.add(new Attack("Bearer without a token", 401, "GET", "/api/jobs", null,
        "Authorization", "Bearer "));
    attacks.add(new Attack("Bearer twice", 401, "GET", "/api/jobs", null,
        "Authorization", "Bearer Bearer " + hs256(good("viewer").build())));
    attacks.add(new Attack("another scheme with a good token", 401, "GET", "/api/jobs", null,
        "Authorization", "Token " + hs256(good("viewer").build())));
    attacks.add(Attack.token("garbage", 401, "not.a.jwt"));
    attacks.add(Attack.token("an encrypted token (JWE)", 401, "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"));

    // unsigned tokens
    for (String alg : List.of("none", "None", "NONE")) {
      attacks.add(Attack.token("alg " + alg, 401, unsigned(alg, "")));
    }
    attacks.add(Attack.token("alg none with a signature", 401, unsigned("none", "c2ln")));
    attacks.add(Attack.token("signature stripped", 401, hs256(good("admin").build())
        .replaceAll("[^.]+$", "")));

    // keys and algorithms
    attacks.add(Attack.token("HS256 signed with the public key (PEM)", 401,
        hs256(good("admin").build(), pem(rsa).getBytes(StandardCharsets.UTF_8))));
    attacks.add(Attack.token("HS256 signed with the public key (DER)", 401,
        hs256(good("admin").build(), rsa.getPublic().getEncoded())));
    attacks.add(Attack.token("HS256 signed with another secret", 401, hs256(good("admin").build(),
        "guessed-secret-guessed-secret-guessed-secret".getBytes(StandardCharsets.UTF_8))));
    attacks.add(Attack.token("RS256 signed with another key", 401, signed(
        new JWSHeader(JWSAlgorithm.RS256), good("admin").build(), attackerRsa.getPrivate())));
    attacks.add(Attack.token("RS256 carrying its own key (jwk, jku, kid)", 401, embeddedKey()));
    attacks.add(Attack.token("HS256 relabelled RS256", 401, relabelledHeader()));
    attacks.add(Attack.token("RS512 with the right key", 401, signed(
        new JWSHeader(JWSAlgorithm.RS512), good("admin").build(), rsa.getPrivate())));
    attacks.add(Attack.token("PS256 with the right key", 401, signed(
        new JWSHeader(JWSAlgorithm.PS256), good("admin").build(), rsa.getPrivate())));
    attacks.add(Attack.token("ES256 with an attacker's key", 401, signed(
        new JWSHeader(JWSAlgorithm.ES256), good("admin").build(), attackerEc.getPrivate())));
    attacks.add(Attack.token("tampered payload (viewer made admin)", 401, escalatedPayload()));

    // time
    attacks.add(Attack.token("expired an hour ago", 401, hs256(good("admin")
        .expirationTime(Date.from(Instant.now().minusSeconds(3600))).build())));
    attacks.add(Attack.token("expired just past the clock skew", 401, hs256(good("admin")
        .expirationTime(Date.from(Instant.now().minusSeconds(31))).build())));
    attacks.add(Attack.token("not valid for another hour", 401, hs256(good("admin")
        .notBeforeTime(Date.from(Instant.now().plusSeconds(3600))).build())));
    attacks.add(Attack.token("no expiry", 401, hs256(good("admin").expirationTime(null)
        .build())));
    attacks.add(Attack.token("expiry as text", 401, hs256(good("admin").expirationTime(null)
        .claim("exp", "never").build())));

    // issuer and audience
    attacks.add(Attack.token("wrong issuer", 401, hs256(good("admin")
        .issuer("https://evil.example").build())));
    attacks.add(Attack.token("no issuer", 401, hs256(good("admin").issuer(null).build())));
    attacks.add(Attack.token("wrong audience", 401, rs256(good("admin").audience("billing-api")
        .build())));
    attacks.add(Attack.token("no audience", 401, rs256(good("admin").audience((String) null)
        .build())));

    // subject and roles
    attacks.add(Attack.token("no subject", 401, hs256(good("admin").subject(null).build())));
    attacks.add(Attack.token("a subject of control characters", 401, hs256(good("admin")
        .subject("\u001b[2J\u0000").build())));
    attacks.add(Attack.token("a subject of 201 characters", 401, hs256(good("admin")
        .subject("s".repeat(201)).build())));
    attacks.add(Attack.token("no roles", 401, hs256(good().claim("roles", null).build())));
    attacks.add(Attack.token("roles as a string", 401, hs256(good().claim("roles", "admin")
        .build())));
    attacks.add(Attack.token("roles as an object", 401, hs256(good()
        .claim("roles", Map.of("admin", true)).build())));
    attacks.add(Attack.token("roles of numbers", 401, hs256(good().claim("roles", List.of(3))
        .build())));
    attacks.add(Attack.token("an unknown role", 403, hs256(good("superuser").build())));
    attacks.add(Attack.token("a role in the wrong case", 403, hs256(good("Admin").build())));
    attacks.add(Attack.token("an empty role list", 403, hs256(good().build())));

    // role escalation with good tokens
    String viewer = hs256(good("viewer").build());
    String operator = rs256(good("operator").build());
    attacks.add(new Attack("viewer defines a job", 403, "PUT", "/api/jobs/evil", viewer));
    attacks.add(new Attack("viewer deletes a job", 403, "DELETE", "/api/jobs/sleepy", viewer));
    attacks.add(new Attack("viewer starts a run", 403, "POST", "/api/jobs/sleepy/executions",
        viewer));
    attacks.add(new Attack("viewer stops a run", 403, "POST",
        "/api/executions/" + running + "/stop?force=true", viewer));
    attacks.add(new Attack("viewer bulk-stops", 403, "POST", "/api/executions/stop", viewer));
    attacks.add(new Attack("viewer stops a job's runs", 403, "POST", "/api/jobs/sleepy/stop",
        viewer));
    attacks.add(new Attack("viewer retries", 403, "POST",
        "/api/executions/" + UUID.randomUUID() + "/retry", viewer));
    attacks.add(new Attack("viewer reads the cluster", 403, "GET", "/api/cluster", viewer));
    attacks.add(new Attack("operator defines a job", 403, "PUT", "/api/jobs/evil", operator));
    attacks.add(new Attack("operator replaces a job", 403, "PUT", "/api/jobs/sleepy", operator));
    attacks.add(new Attack("operator deletes a job", 403, "DELETE", "/api/jobs/sleepy",
        operator));
    attacks.add(new Attack("operator reads the cluster", 403, "GET", "/api/cluster", operator));

    // tokens anywhere but the Authorization header
    String admin = hs256(good("admin").build());
    attacks.add(new Attack("token in the query (access_token)", 401, "GET",
        "/api/jobs?access_token=" + admin, null));
    attacks.add(new Attack("token in the query (token)", 401, "GET", "/api/jobs?token=" + admin,
        null));
    attacks.add(new Attack("token in the query of a stop", 401, "POST",
        "/api/executions/" + running + "/stop?force=true&access_token=" + admin, null));
    attacks.add(new Attack("token in the query of the event stream", 401, "GET",
        "/api/events?access_token=" + admin, null));
    attacks.add(new Attack("token in a cookie", 401, "GET", "/api/jobs", null,
        "Cookie", "token=" + admin + "; access_token=" + admin));
    attacks.add(new Attack("token in another header", 401, "GET", "/api/jobs", null,
        "X-Auth-Token", admin));
    return attacks;
  }

  @TestFactory
  @Order(1)
  Stream<DynamicTest> everyTokenAttackIsRefused() {
    return attacks().stream().map(attack -> DynamicTest.dynamicTest(attack.name(), () -> {
      tried.incrementAndGet();
      Answer answer = attack.send();
      assertThat(answer.status()).as(attack.name() + ": " + answer).isEqualTo(attack.expected());
      assertThat(answer.contentType()).isEqualTo("application/problem+json");
      if (answer.status() == 401) {
        assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer");
      }
      refused.incrementAndGet();
    }));
  }

  @Test
  @Order(2)
  void goodTokensOfBothKindsStillWork() {
    assertThat(api.get("/api/jobs", hs256(good("viewer").build())).status()).isEqualTo(200);
    assertThat(api.get("/api/jobs", rs256(good("viewer").build())).status()).isEqualTo(200);
    assertThat(api.get("/api/jobs", api.admin()).status()).isEqualTo(200);
  }

  @Test
  @Order(3)
  void noAttackChangedAnything() {
    assertThat(api.get("/api/executions/" + running, api.viewer()).json().get("status").asText())
        .isEqualTo("Running");
    assertThat(api.get("/api/jobs/sleepy", api.viewer()).status()).isEqualTo(200);
    assertThat(api.get("/api/jobs/evil", api.viewer()).status()).isEqualTo(404);
  }
}
