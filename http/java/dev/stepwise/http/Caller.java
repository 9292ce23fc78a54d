package dev.stepwise.http;

/** Who sent a request, from a verified bearer token; {@code role} is null when it names none. */
public record Caller(String subject, Role role) {

  public boolean may(Role needed) {
    return role != null && role.includes(needed);
  }
}
