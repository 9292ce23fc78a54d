package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token verification with real keys: what passes, and each way a token is refused. */
class BearerTokensTest {

  static final String SECRET = ApiServer.SECRET;
  static KeyPair rsa;
  static String publicPem;

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    rsa = generator.generateKeyPair();
    publicPem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(rsa.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  static BearerTokens tokens(String secret, String publicKey) {
    return BearerTokens.from(new HttpSettings.JwtSettings(secret, publicKey, Duration.ofDays(30),
        Duration.ofSeconds(30)));
  }

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().subject("sam").claim("roles", List.of("operator"))
        .expirationTime(Date.from(Instant.now().plusSeconds(600)));
  }

  static String hs256(JWTClaimsSet claims, byte[] key) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(key));
    return jwt.serialize();
  }

  static String rs256(JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
    jwt.sign(new RSASSASigner(rsa.getPrivate()));
    return jwt.serialize();
  }

  static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anHs256TokenSignedWithTheSecretPassesWithItsSubjectAndHighestRole() throws Exception {
    Caller caller = tokens(SECRET, null).verify(hs256(claims()
        .claim("roles", List.of("viewer", "operator", "unknown")).build(), SECRET.getBytes()));
    assertThat(caller).isEqualTo(new Caller("sam", Role.operator));
    assertThat(caller.may(Role.viewer)).isTrue();
    assertThat(caller.may(Role.admin)).isFalse();
  }

  @Test
  void anRs256TokenSignedWithThePrivateKeyPassesWhenThePublicKeyIsConfigured() throws Exception {
    assertThat(tokens(null, publicPem).verify(rs256(claims().build())).role())
        .isEqualTo(Role.operator);
  }

  @Test
  void issuedTokensVerify() throws Exception {
    BearerTokens tokens = tokens(SECRET, null);
    assertThat(tokens.verify(tokens.issue("ada", List.of("admin"), Duration.ofMinutes(5))))
        .isEqualTo(new Caller("ada", Role.admin));
  }

  @Test
  void withoutAConfiguredSecretARandomOneIsMadeAndItsAdminTokenWorks() throws Exception {
    BearerTokens tokens = tokens(null, null);
    String admin = tokens.generatedAdminToken().orElseThrow();
    assertThat(tokens.verify(admin)).isEqualTo(new Caller("admin", Role.admin));
    assertThat(tokens(null, null).generatedAdminToken().orElseThrow()).isNotEqualTo(admin);
    assertThat(tokens(SECRET, null).generatedAdminToken()).isEmpty();
  }

  @Test
  void aShortConfiguredSecretIsRefusedAtStart() {
    assertThatThrownBy(() -> tokens("short", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
  }

  @Test
  void expiredTokensAreRefused() {
    assertRefused(tokens(SECRET, null), () -> hs256(claims()
        .expirationTime(Date.from(Instant.now().minusSeconds(3600))).build(), SECRET.getBytes()),
        "expired");
  }

  @Test
  void tokensWithoutExpiryAreRefused() {
    assertRefused(tokens(SECRET, null), () -> hs256(claims().expirationTime(null).build(),
        SECRET.getBytes()), "expiry");
  }

  @Test
  void notYetValidTokensAreRefused() {
    assertRefused(tokens(SECRET, null), () -> hs256(claims()
        .notBeforeTime(Date.from(Instant.now().plusSeconds(3600))).build(), SECRET.getBytes()),
        "not valid yet");
  }

  @Test
  void unsignedAlgNoneTokensAreRefused() {
    String none = b64("{\"alg\":\"none\"}") + "." + b64("{\"sub\":\"sam\",\"roles\":[\"admin\"],"
        + "\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}") + ".";
    assertRefused(tokens(SECRET, null), () -> none, "not a signed JWT");
  }

  @Test
  void tokensSignedWithAnotherSecretAreRefused() {
    assertRefused(tokens(SECRET, null), () -> hs256(claims().build(),
        "another-secret-another-secret-another-secret".getBytes()), "signature");
  }

  @Test
  void anHs256TokenMadeWithThePublicKeyAsSecretIsRefused() {
    // the classic confusion: the attacker knows the public key and uses it as an HMAC secret
    assertRefused(tokens(null, publicPem), () -> hs256(claims().build(),
        publicPem.getBytes(StandardCharsets.UTF_8)), "HS256");
  }

  @Test
  void anRs256TokenIsRefusedWhenOnlyASecretIsConfigured() {
    assertRefused(tokens(SECRET, null), () -> rs256(claims().build()), "RS256");
  }

  @Test
  void malformedTokensAreRefused() {
    BearerTokens tokens = tokens(SECRET, null);
    for (String garbage : List.of("", "abc", "a.b.c", "..", b64("{}") + "." + b64("[]") + ".x")) {
      assertRefused(tokens, () -> garbage, "");
    }
  }

  @Test
  void tokensWithoutSubjectOrRolesAreRefused() {
    BearerTokens tokens = tokens(SECRET, null);
    assertRefused(tokens, () -> hs256(claims().subject(null).build(), SECRET.getBytes()), "sub");
    assertRefused(tokens, () -> hs256(claims().claim("roles", null).build(), SECRET.getBytes()),
        "roles");
    assertRefused(tokens, () -> hs256(claims().claim("roles", "admin").build(),
        SECRET.getBytes()), "roles");
  }

  interface TokenSource {
    String get() throws Exception;
  }

  static void assertRefused(BearerTokens tokens, TokenSource token, String why) {
    assertThatThrownBy(() -> tokens.verify(token.get()))
        .isInstanceOf(BearerTokens.InvalidToken.class).hasMessageContaining(why);
  }
}
