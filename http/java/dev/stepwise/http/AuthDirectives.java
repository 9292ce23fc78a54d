package dev.stepwise.http;

import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Authentication and roles as directives: {@code authorized(Role.operator, caller -> route)}
 * answers 401 without a valid bearer token and 403 when the caller lacks the role. Tokens are
 * read from the Authorization header only, never from the URL.
 */
public final class AuthDirectives extends AllDirectives {

  private final BearerTokens tokens;

  public AuthDirectives(BearerTokens tokens) {
    this.tokens = tokens;
  }

  public Route authorized(Role needed, Function<Caller, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      Caller caller;
      try {
        caller = tokens.verify(bearer(header));
      } catch (BearerTokens.InvalidToken e) {
        return complete(Responses.problem(ApiProblem.unauthorized(e.getMessage())));
      }
      if (!caller.may(needed)) {
        return complete(Responses.problem(ApiProblem.forbidden(
            "this needs the role " + needed + "; " + caller.subject() + " has "
                + (caller.role() == null ? "none" : caller.role()))));
      }
      return inner.apply(caller);
    });
  }

  private static String bearer(Optional<String> header) throws BearerTokens.InvalidToken {
    String value = header.orElseThrow(() ->
        new BearerTokens.InvalidToken("an Authorization: Bearer <token> header is required"));
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new BearerTokens.InvalidToken("the Authorization header must be Bearer <token>");
    }
    return value.substring(7).strip();
  }
}
