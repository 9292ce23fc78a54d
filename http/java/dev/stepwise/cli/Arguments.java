package dev.stepwise.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One command's arguments: positional words and {@code --name value} (or {@code --name=value})
 * options, checked against the options the command knows so that a typo is a usage error, not
 * an option silently ignored.
 */
record Arguments(List<String> positional, Map<String, String> options) {

  /** Options that take no value. */
  private static final Set<String> FLAGS = Set.of("force", "follow", "help");
  /** Short spellings. */
  private static final Map<String, String> SHORT = Map.of("-f", "file", "-o", "output",
      "-h", "help");

  static Arguments parse(List<String> words, Set<String> known) {
    List<String> positional = new ArrayList<>();
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      String name = SHORT.get(word);
      String value = null;
      if (name == null && word.startsWith("--") && word.length() > 2) {
        name = word.substring(2);
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
      }
      if (name == null) {
        positional.add(word);
        continue;
      }
      if (!known.contains(name) && !name.equals("help")) {
        throw CommandFailure.usage("unknown option --" + name);
      }
      if (FLAGS.contains(name)) {
        if (value != null && !value.equals("true") && !value.equals("false")) {
          throw CommandFailure.usage("--" + name + " takes no value");
        }
        options.put(name, value == null ? "true" : value);
        continue;
      }
      if (value == null) {
        if (i + 1 == words.size()) {
          throw CommandFailure.usage("--" + name + " needs a value");
        }
        value = words.get(++i);
      }
      if (options.put(name, value) != null) {
        throw CommandFailure.usage("--" + name + " given twice");
      }
    }
    return new Arguments(List.copyOf(positional), Map.copyOf(options));
  }

  Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  /** Each of the options {@code names} that was given, as a URL query's {@code name=value}. */
  List<String> query(List<String> names) {
    List<String> query = new ArrayList<>();
    for (String name : names) {
      option(name).ifPresent(value -> query.add(name + "=" + Session.segment(value)));
    }
    return query;
  }
  /** The value of option {@code name} as a whole number of 1 or more, if given. */
  Optional<Long> positive(String name) {
    return option(name).map(text -> {
      try {
        long value = Long.parseLong(text);
        if (value > 0) {
          return value;
        }
      } catch (NumberFormatException e) {
        // the usage error below
      }
      throw CommandFailure.usage("--" + name + " needs a number of 1 or more, not '" + text
          + "'");
    });
  }


  boolean flag(String name) {
    return "true".equals(options.get(name));
  }

  /** The only positional word, or a usage error naming what was expected. */
  String single(String what) {
    if (positional.size() != 1) {
      throw CommandFailure.usage(positional.isEmpty() ? "missing " + what
          : "expected one " + what + ", got " + positional);
    }
    return positional.get(0);
  }

  void noPositional() {
    if (!positional.isEmpty()) {
      throw CommandFailure.usage("unexpected argument " + positional.get(0));
    }
  }
}
