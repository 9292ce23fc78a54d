package dev.stepwise.http;

/** What a caller may do; each role includes the ones before it. */
public enum Role {
  viewer, operator, admin;

  public boolean includes(Role other) {
    return ordinal() >= other.ordinal();
  }
}
