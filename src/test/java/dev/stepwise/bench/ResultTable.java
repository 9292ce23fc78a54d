package dev.stepwise.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;

/**
 * The one table the benchmark prints: each row is a figure measured once per round, shown as the
 * median of its rounds beside its target and whether the median meets it.
 */
final class ResultTable {

  /** What a figure should reach; {@code met} is null for figures that are only reported. */
  record Target(String text, DoublePredicate met) {
    static Target none() {
      return new Target("", null);
    }

    static Target atLeast(double bound, String text) {
      return new Target("≥ " + text, value -> value >= bound);
    }

    static Target atMost(double bound, String text) {
      return new Target("≤ " + text, value -> value <= bound);
    }
  }

  private static final class Row {
    final String key;
    final String label;
    final String unit;
    final int decimals;
    final Target target;
    final List<Double> values = new ArrayList<>();

    Row(String key, String label, String unit, int decimals, Target target) {
      this.key = key;
      this.label = label;
      this.unit = unit;
      this.decimals = decimals;
      this.target = target;
    }
  }

  private final Map<String, Row> rows = new LinkedHashMap<>();
  private final List<String> header = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /** Declares a row; rows print in the order they were declared. */
  synchronized void declare(String key, String label, String unit, int decimals, Target target) {
    rows.put(key, new Row(key, label, unit, decimals, target));
  }

  synchronized void relabel(String key, String label) {
    Row old = rows.get(key);
    Row row = new Row(key, label, old.unit, old.decimals, old.target);
    row.values.addAll(old.values);
    rows.put(key, row);
  }

  synchronized void record(String key, double value) {
    Row row = rows.get(key);
    if (row == null) {
      throw new IllegalArgumentException("no row " + key);
    }
    if (!Double.isNaN(value) && !Double.isInfinite(value)) {
      row.values.add(value);
    }
  }

  synchronized double median(String key) {
    List<Double> values = new ArrayList<>(rows.get(key).values);
    if (values.isEmpty()) {
      return Double.NaN;
    }
    values.sort(Double::compare);
    int n = values.size();
    return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
  }

  synchronized void header(String line) {
    header.add(line);
  }

  synchronized void note(String line) {
    notes.add(line);
  }

  synchronized List<String> keys() {
    return List.copyOf(rows.keySet());
  }

  synchronized String render() {
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"row", "measure", "median", "target", "met", "per round"});
    for (Row row : rows.values()) {
      double median = median(row.key);
      boolean known = !Double.isNaN(median);
      String value = known ? number(median, row.decimals) + " " + row.unit : "n/a";
      String met = row.target.met() == null ? "" : !known ? "?"
          : row.target.met().test(median) ? "yes" : "NO";
      List<String> rounds = row.values.stream().map(v -> number(v, row.decimals)).toList();
      lines.add(new String[] {row.key, row.label, value, row.target.text(), met,
          String.join(" | ", rounds)});
    }
    int[] widths = new int[6];
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    header.forEach(line -> out.append(line).append('\n'));
    out.append('\n');
    for (int l = 0; l < lines.size(); l++) {
      String[] line = lines.get(l);
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < line.length; i++) {
        boolean numeric = i == 2;
        String cell = numeric ? pad(line[i], widths[i], true) : pad(line[i], widths[i], false);
        text.append(cell).append(i < line.length - 1 ? "  " : "");
      }
      out.append(text.toString().stripTrailing()).append('\n');
      if (l == 0) {
        int total = 0;
        for (int w : widths) {
          total += w + 2;
        }
        out.append("-".repeat(total - 2)).append('\n');
      }
    }
    if (!notes.isEmpty()) {
      out.append('\n');
      notes.forEach(note -> out.append("note: ").append(note).append('\n'));
    }
    return out.toString();
  }

  private static String pad(String s, int width, boolean right) {
    String spaces = " ".repeat(Math.max(0, width - s.length()));
    return right ? spaces + s : s + spaces;
  }

  private static String number(double value, int decimals) {
    return String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }
}
