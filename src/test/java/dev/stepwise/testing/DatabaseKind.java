package dev.stepwise.testing;

/** The databases a node can journal to, for tests that run on each. */
public enum DatabaseKind {
  /** The README's single-node default: no database settings, H2 in the node's data folder. */
  H2_DEFAULT,
  /** A fresh database on the tests' PostgreSQL. */
  POSTGRES
}
