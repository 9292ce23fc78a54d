package dev.stepwise.cli;

/** Reads {@code --grace}: whole seconds, or a number with s, m or h ({@code 90}, {@code 5m}). */
final class GraceSeconds {

  private GraceSeconds() {}

  static int parse(String text) {
    String digits = text.strip();
    int unit = 1;
    if (digits.matches("\\d+[smh]")) {
      unit = switch (digits.charAt(digits.length() - 1)) {
        case 'm' -> 60;
        case 'h' -> 3600;
        default -> 1;
      };
      digits = digits.substring(0, digits.length() - 1);
    }
    if (!digits.matches("\\d{1,7}")) {
      throw CommandFailure.usage("--grace needs seconds (e.g. 30, 90s, 5m, 1h), not '" + text + "'");
    }
    return Integer.parseInt(digits) * unit;
  }
}
