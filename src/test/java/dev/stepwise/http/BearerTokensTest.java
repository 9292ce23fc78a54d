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
  void tokensWithoutSubjectAreRefused() {
    assertRefused(tokens(SECRET, null), () -> hs256(claims().subject(null).build(),
        SECRET.getBytes()), "sub");
    assertRefused(tokens(SECRET, null), () -> hs256(claims().subject(" ").build(),
        SECRET.getBytes()), "sub");
  }

  @Test
  void aSubjectWithControlCharactersIsRefused() {
    // the subject is journaled as who started or stopped what; a NUL would stop the read side
    assertRefused(tokens(SECRET, null), () -> hs256(claims().subject("ev\u0000e").build(),
        SECRET.getBytes()), "control characters");
    assertRefused(tokens(SECRET, null), () -> hs256(claims().subject("\u001b[2Jeve").build(),
        SECRET.getBytes()), "control characters");
  }

  @Test
  void tokensWithoutRolesAreRefused() {
    assertRefused(tokens(SECRET, null), () -> hs256(claims().claim("roles", null).build(),
        SECRET.getBytes()), "roles");
  }

  @Test
  void rolesAsAStringInsteadOfAListAreRefused() {
    assertRefused(tokens(SECRET, null), () -> hs256(claims().claim("roles", "admin").build(),
        SECRET.getBytes()), "roles");
  }

  @Test
  void rolesThatAreNotStringsAreRefused() {
    assertRefused(tokens(SECRET, null), () -> hs256(claims().claim("roles", List.of(1)).build(),
        SECRET.getBytes()), "roles");
    assertRefused(tokens(SECRET, null), () -> hs256(claims()
        .claim("roles", java.util.Map.of("admin", true)).build(), SECRET.getBytes()), "roles");
  }

  @Test
  void unknownOrMisspelledRolesGiveNoRole() throws Exception {
    BearerTokens tokens = tokens(SECRET, null);
    for (List<String> roles : List.<List<String>>of(List.of("superuser"),
        List.of("Admin", "ADMIN"), List.of(), List.of(" admin"))) {
      Caller caller = tokens.verify(hs256(claims().claim("roles", roles).build(),
          SECRET.getBytes()));
      assertThat(caller.role()).as(roles.toString()).isNull();
      assertThat(caller.may(Role.viewer)).isFalse();
    }
  }

  @Test
  void aTamperedPayloadFailsTheSignature() throws Exception {
    String viewer = hs256(claims().claim("roles", List.of("viewer")).build(), SECRET.getBytes());
    String[] parts = viewer.split("\\.");
    String escalated = parts[0] + "." + b64(new String(Base64.getUrlDecoder().decode(parts[1]),
        StandardCharsets.UTF_8).replace("\"viewer\"", "\"admin\"")) + "." + parts[2];
    assertRefused(tokens(SECRET, null), () -> escalated, "signature");
  }

  @Test
  void aTamperedHeaderFailsTheSignature() throws Exception {
    String token = hs256(claims().build(), SECRET.getBytes());
    String[] parts = token.split("\\.");
    String relabelled = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + parts[1] + "."
        + parts[2];
    assertRefused(tokens(SECRET, null), () -> relabelled, "signature");
  }

  @Test
  void aStrippedSignatureIsRefused() throws Exception {
    String token = hs256(claims().build(), SECRET.getBytes());
    String unsigned = token.substring(0, token.lastIndexOf('.') + 1);
    assertRefused(tokens(SECRET, null), () -> unsigned, "");
  }

  @Test
  void algNoneInAnyCaseOrWithASignatureIsRefused() {
    String payload = b64("{\"sub\":\"eve\",\"roles\":[\"admin\"],\"exp\":"
        + (Instant.now().getEpochSecond() + 600) + "}");
    for (String alg : List.of("none", "None", "NONE", "nOnE")) {
      String header = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}");
      assertRefused(tokens(SECRET, publicPem), () -> header + "." + payload + ".", "");
      assertRefused(tokens(SECRET, publicPem), () -> header + "." + payload + ".c2ln", "");
    }
  }

  @Test
  void anHs256TokenMadeWithThePublicKeysDerBytesAsSecretIsRefused() {
    assertRefused(tokens(null, publicPem), () -> hs256(claims().build(),
        rsa.getPublic().getEncoded()), "HS256");
    // with a secret configured too, the public key is still no HMAC secret
    assertRefused(tokens(SECRET, publicPem), () -> hs256(claims().build(),
        publicPem.getBytes(StandardCharsets.UTF_8)), "signature");
  }

  @Test
  void anRs256TokenOfAnotherKeyIsRefusedEvenWhenItCarriesThatKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair attacker = generator.generateKeyPair();
    // the embedded-key attack: the header names the attacker's own public key (jwk) and URL (jku)
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
        .jwk(new com.nimbusds.jose.jwk.RSAKey.Builder(
            (java.security.interfaces.RSAPublicKey) attacker.getPublic()).build())
        .jwkURL(java.net.URI.create("http://attacker.invalid/keys"))
        .build();
    SignedJWT jwt = new SignedJWT(header, claims().build());
    jwt.sign(new RSASSASigner(attacker.getPrivate()));
    assertRefused(tokens(SECRET, publicPem), jwt::serialize, "signature");
  }

  @Test
  void otherAlgorithmsAreRefusedEvenWithTheRightKey() throws Exception {
    SignedJWT hs512 = new SignedJWT(new JWSHeader(JWSAlgorithm.HS512), claims().build());
    hs512.sign(new MACSigner((SECRET + SECRET).getBytes()));
    assertRefused(tokens(SECRET + SECRET, null), hs512::serialize, "HS512");
    SignedJWT rs512 = new SignedJWT(new JWSHeader(JWSAlgorithm.RS512), claims().build());
    rs512.sign(new RSASSASigner(rsa.getPrivate()));
    assertRefused(tokens(null, publicPem), rs512::serialize, "RS512");
    SignedJWT ps256 = new SignedJWT(new JWSHeader(JWSAlgorithm.PS256), claims().build());
    ps256.sign(new RSASSASigner(rsa.getPrivate()));
    assertRefused(tokens(null, publicPem), ps256::serialize, "PS256");
  }

  @Test
  void anExpiryThatIsNotANumberIsRefused() {
    String token = b64("{\"alg\":\"HS256\"}") + "." + b64("{\"sub\":\"eve\",\"roles\":[\"admin\"],"
        + "\"exp\":\"never\"}");
    assertRefused(tokens(SECRET, null), () -> signed(token), "");
  }

  @Test
  void anExpiryJustPastTheClockSkewIsRefused() {
    assertRefused(tokens(SECRET, null), () -> hs256(claims()
        .expirationTime(Date.from(Instant.now().minusSeconds(31))).build(), SECRET.getBytes()),
        "expired");
  }

  // ---------------------------------------------------------------- issuer and audience

  static BearerTokens withIssuerAndAudience() {
    return BearerTokens.from(new HttpSettings.JwtSettings(SECRET, publicPem, Duration.ofDays(1),
        Duration.ofSeconds(30), "https://id.example/stepwise", "stepwise-api"));
  }

  static JWTClaimsSet.Builder issued() {
    return claims().issuer("https://id.example/stepwise").audience("stepwise-api");
  }

  @Test
  void withIssuerAndAudienceConfiguredAMatchingTokenPassesAndIssuedTokensCarryBoth()
      throws Exception {
    BearerTokens tokens = withIssuerAndAudience();
    assertThat(tokens.verify(hs256(issued().build(), SECRET.getBytes())).role())
        .isEqualTo(Role.operator);
    assertThat(tokens.verify(rs256(issued().audience(List.of("other", "stepwise-api")).build()))
        .role()).isEqualTo(Role.operator);
    String own = tokens.issue("ada", List.of("admin"), Duration.ofMinutes(5));
    assertThat(SignedJWT.parse(own).getJWTClaimsSet().getIssuer())
        .isEqualTo("https://id.example/stepwise");
    assertThat(tokens.verify(own)).isEqualTo(new Caller("ada", Role.admin));
  }

  @Test
  void aWrongIssuerIsRefused() {
    assertRefused(withIssuerAndAudience(), () -> hs256(issued().issuer("https://evil.example")
        .build(), SECRET.getBytes()), "issuer");
  }

  @Test
  void aMissingIssuerIsRefusedWhenOneIsConfigured() {
    assertRefused(withIssuerAndAudience(), () -> hs256(issued().issuer(null).build(),
        SECRET.getBytes()), "issuer");
  }

  @Test
  void aWrongAudienceIsRefused() {
    assertRefused(withIssuerAndAudience(), () -> rs256(issued().audience("billing-api").build()),
        "audience");
  }

  @Test
  void aMissingAudienceIsRefusedWhenOneIsConfigured() {
    assertRefused(withIssuerAndAudience(), () -> hs256(issued().audience((String) null).build(),
        SECRET.getBytes()), "audience");
  }

  @Test
  void withoutIssuerAndAudienceConfiguredNeitherIsRequired() throws Exception {
    assertThat(tokens(SECRET, null).verify(hs256(claims().issuer("anyone").audience("any")
        .build(), SECRET.getBytes())).role()).isEqualTo(Role.operator);
  }

  /** A header and payload signed HS256 with the secret, however odd their content. */
  static String signed(String headerAndPayload) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(), "HmacSHA256"));
    return headerAndPayload + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(headerAndPayload.getBytes(StandardCharsets.US_ASCII)));
  }

  interface TokenSource {
    String get() throws Exception;
  }

  static void assertRefused(BearerTokens tokens, TokenSource token, String why) {
    assertThatThrownBy(() -> tokens.verify(token.get()))
        .isInstanceOf(BearerTokens.InvalidToken.class).hasMessageContaining(why);
  }
}
