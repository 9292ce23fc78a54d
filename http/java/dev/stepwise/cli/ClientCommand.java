package dev.stepwise.cli;

import java.util.Set;

/** One command of the client: the options it accepts and what it does with a node. */
interface ClientCommand {

  /** Options besides the ones every command takes (url, token, output). */
  Set<String> options();

  ExitCode run(Arguments arguments, Session session);
}
