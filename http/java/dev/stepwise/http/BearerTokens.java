package dev.stepwise.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Verifies bearer JWTs: HS256 against the configured secret, RS256 against the configured public
 * key, nothing else. Each algorithm is checked only with its own key, so an HS256 token signed
 * with the public key's bytes never passes, and unsigned ({@code alg: none}) tokens never parse.
 */
public final class BearerTokens {

  /** Why a token was refused; the message is safe to show the caller. */
  public static final class InvalidToken extends Exception {
    InvalidToken(String message) {
      super(message, null, false, false);
    }
  }

  private static final int MIN_SECRET_BYTES = 32;

  private final byte[] secret;
  private final RSAPublicKey publicKey;
  private final Duration clockSkew;
  private final String issuer;
  private final String audience;
  private final String generatedAdminToken;

  private BearerTokens(byte[] secret, RSAPublicKey publicKey, HttpSettings.JwtSettings settings,
      boolean generated) {
    this.secret = secret;
    this.publicKey = publicKey;
    this.clockSkew = settings.clockSkew();
    this.issuer = settings.issuer();
    this.audience = settings.audience();
    this.generatedAdminToken = generated
        ? issue("admin", List.of(Role.admin.name()), settings.adminTokenTtl()) : null;
  }

  /** Fails with a clear message when the configured secret or key is unusable. */
  public static BearerTokens from(HttpSettings.JwtSettings settings) {
    RSAPublicKey key = settings.publicKeyPem() == null
        ? null : parsePublicKey(settings.publicKeyPem());
    if (settings.secret() != null) {
      byte[] secret = settings.secret().getBytes(StandardCharsets.UTF_8);
      if (secret.length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException("stepwise.jwt.secret (STEPWISE_JWT_SECRET) must be at"
            + " least " + MIN_SECRET_BYTES + " bytes for HS256");
      }
      return new BearerTokens(secret, key, settings, false);
    }
    if (key != null) {
      return new BearerTokens(null, key, settings, false);
    }
    byte[] random = new byte[MIN_SECRET_BYTES];
    new SecureRandom().nextBytes(random);
    byte[] secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random)
        .getBytes(StandardCharsets.UTF_8);
    return new BearerTokens(secret, null, settings, true);
  }

  /** The admin token made for a generated secret; empty when a secret or key was configured. */
  public Optional<String> generatedAdminToken() {
    return Optional.ofNullable(generatedAdminToken);
  }

  /** An HS256 token for {@code subject}, with the configured issuer and audience; needs a secret. */
  public String issue(String subject, List<String> roles, Duration ttl) {
    if (secret == null) {
      throw new IllegalStateException("no HS256 secret configured");
    }
    Instant now = Instant.now();
    JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
        .subject(subject)
        .claim("roles", roles)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)));
    if (issuer != null) {
      builder.issuer(issuer);
    }
    if (audience != null) {
      builder.audience(audience);
    }
    JWTClaimsSet claims = builder.build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException("could not sign a token", e);
    }
    return jwt.serialize();
  }

  public Caller verify(String token) throws InvalidToken {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException | RuntimeException e) {
      throw new InvalidToken("the token is not a signed JWT");
    }
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!verifies(jwt, alg)) {
      throw new InvalidToken("the token's signature is not valid");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new InvalidToken("the token's claims are malformed");
    }
    Instant now = Instant.now();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new InvalidToken("the token has no expiry (exp)");
    }
    if (now.minus(clockSkew).isAfter(exp.toInstant())) {
      throw new InvalidToken("the token has expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant())) {
      throw new InvalidToken("the token is not valid yet");
    }
    if (issuer != null && !issuer.equals(claims.getIssuer())) {
      throw new InvalidToken("the token's issuer (iss) is not the one this node accepts");
    }
    if (audience != null && (claims.getAudience() == null
        || !claims.getAudience().contains(audience))) {
      throw new InvalidToken("the token's audience (aud) does not name this node");
    }
    String subject = claims.getSubject();
    if (subject == null || subject.isBlank() || subject.length() > 200) {
      throw new InvalidToken("the token has no subject (sub)");
    }
    if (!RequestParsing.isPrintable(subject)) {
      // the subject is recorded as who started or stopped what, in the journal and read side
      throw new InvalidToken("the token's subject (sub) has control characters");
    }
    return new Caller(subject, highestRole(claims));
  }

  private boolean verifies(SignedJWT jwt, JWSAlgorithm alg) throws InvalidToken {
    try {
      JWSVerifier verifier;
      if (JWSAlgorithm.HS256.equals(alg) && secret != null) {
        verifier = new MACVerifier(secret);
      } else if (JWSAlgorithm.RS256.equals(alg) && publicKey != null) {
        verifier = new RSASSAVerifier(publicKey);
      } else {
        throw new InvalidToken("tokens signed with " + alg + " are not accepted");
      }
      return jwt.verify(verifier);
    } catch (JOSEException | RuntimeException e) {
      return false;
    }
  }

  private static Role highestRole(JWTClaimsSet claims) throws InvalidToken {
    Object value = claims.getClaim("roles");
    if (!(value instanceof List<?> list)) {
      throw new InvalidToken("the token has no roles claim (a list of strings)");
    }
    Role highest = null;
    for (Object item : list) {
      if (!(item instanceof String name)) {
        throw new InvalidToken("the token's roles claim must be a list of strings");
      }
      for (Role role : Role.values()) {
        if (role.name().equals(name) && (highest == null || role.includes(highest))) {
          highest = role;
        }
      }
    }
    return highest;
  }

  private static RSAPublicKey parsePublicKey(String pem) {
    try {
      String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
      return (RSAPublicKey) KeyFactory.getInstance("RSA")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (Exception e) {
      throw new IllegalArgumentException("stepwise.jwt.public-key (STEPWISE_JWT_PUBLIC_KEY) is not"
          + " a PEM RSA public key (-----BEGIN PUBLIC KEY-----)", e);
    }
  }
}
