package dev.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds the production sources to the package table of docs/architecture.md ("## Packages"): which package may use
 * which, no cycle between packages, every package in the table and only those, and no source file too long to read.
 */
class ArchitectureTest {

  private static final String BASE = "dev.quorum";
  private static final Path SOURCES = Path.of("src", "main", "java", "dev", "quorum");
  private static final Path ARCHITECTURE = Path.of("docs", "architecture.md");
  private static final String TABLE_SECTION = "## Packages";
  private static final List<String> TABLE_HEADER = List.of("package", "what it owns", "may import");
  private static final String NONE = "—";
  private static final int MAX_LINES = 450;

  private static final Pattern PACKAGE_DECLARATION = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;",
      Pattern.MULTILINE);
  /** A class of this project named with its package: in an import, a static import or code. */
  private static final Pattern PROJECT_REFERENCE = Pattern.compile(
      "(?<![\\w.])dev\\.quorum((?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z][\\w$]*|\\*)");
  private static final Pattern TABLE_NAME = Pattern.compile("`([\\w.]+)`");

  private static Path root;
  private static List<SourceFile> sources;

  /** One use of another package of this project. */
  record Reference(String file, int line, String text, String targetPackage) {
    @Override
    public String toString() {
      return file + ":" + line + " uses " + text;
    }
  }

  record SourceFile(String path, String packageName, int lines, List<Reference> references) {}

  /** One row of the package table, as written (for messages) and as read. */
  record TableRow(int line, String text, String packageName, Set<String> mayImport) {}

  @BeforeAll
  static void readSources() throws IOException {
    root = projectRoot();
    try (Stream<Path> files = Files.walk(root.resolve(SOURCES))) {
      sources = files.filter(f -> f.toString().endsWith(".java")).sorted().map(ArchitectureTest::read).toList();
    }
  }

  @Test
  void packagesUseEachOtherWithoutACycle() {
    Map<String, Map<String, Reference>> graph = dependencies();
    // one cycle per group of packages that reach each other: the shortest, as it names the fewest uses to look at
    Map<Set<String>, List<String>> shortestByGroup = new LinkedHashMap<>();
    for (String start : graph.keySet()) {
      shortestCycleThrough(start, graph).ifPresent(cycle -> shortestByGroup.merge(reachingEachOther(start, graph),
          cycle, (kept, found) -> found.size() < kept.size() ? found : kept));
    }
    List<String> cycles = shortestByGroup.entrySet().stream()
        .map(group -> "among " + String.join(", ", group.getKey()) + ": " + describe(group.getValue(), graph))
        .toList();
    assertThat(cycles).as("package cycles (each arrow shows its first use)").isEmpty();
  }

  @Test
  void everyUseOfAnotherPackageIsOneItsTableRowAllows() {
    Map<String, TableRow> rows = table();
    List<String> violations = new ArrayList<>();
    for (SourceFile source : sources) {
      TableRow row = rows.get(source.packageName());
      if (row == null) {
        continue; // a package without a row is reported by its own test
      }
      source.references().stream().filter(r -> !row.mayImport().contains(r.targetPackage()))
          .forEach(r -> violations.add(r + ", but its row (" + ARCHITECTURE + ":" + row.line() + ") allows only "
              + allowed(row) + ":\n    " + row.text()));
    }
    assertThat(violations).as("uses of packages the table in %s does not allow", ARCHITECTURE).isEmpty();
  }

  @Test
  void theTableHasARowForEveryPackageAndNoOther() {
    Map<String, TableRow> rows = table();
    Set<String> packages = sources.stream().map(SourceFile::packageName).collect(Collectors.toCollection(TreeSet::new));
    Set<String> withoutRow = new TreeSet<>(packages);
    withoutRow.removeAll(rows.keySet());
    Set<String> withoutPackage = new TreeSet<>(rows.keySet());
    withoutPackage.removeAll(packages);
    Set<String> unknownAllowed = new TreeSet<>();
    rows.values().forEach(row -> row.mayImport().stream().filter(p -> !packages.contains(p))
        .forEach(p -> unknownAllowed.add(row.packageName() + " may import " + p)));
    SoftAssertions.assertSoftly(softly -> {
      softly.assertThat(withoutRow).as("packages with no row in the table of %s", ARCHITECTURE).isEmpty();
      softly.assertThat(withoutPackage).as("rows of the table in %s naming no package with sources", ARCHITECTURE)
          .isEmpty();
      softly.assertThat(unknownAllowed).as("packages the table in %s allows that do not exist", ARCHITECTURE)
          .isEmpty();
    });
  }

  @Test
  void noProductionSourceFileIsLongerThan450Lines() {
    List<String> tooLong = sources.stream().filter(s -> s.lines() > MAX_LINES)
        .sorted(Comparator.comparingInt(SourceFile::lines).reversed())
        .map(s -> s.path() + ": " + s.lines() + " lines").toList();
    assertThat(tooLong).as("production source files over %d lines: split them", MAX_LINES).isEmpty();
  }

  /** The project directory: from the working directory (Maven's module directory) or the test classes, upwards. */
  private static Path projectRoot() {
    Path testClasses;
    try {
      testClasses = Path.of(ArchitectureTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    for (Path start : List.of(Path.of("").toAbsolutePath(), testClasses.toAbsolutePath())) {
      for (Path dir = start; dir != null; dir = dir.getParent()) {
        if (Files.isDirectory(dir.resolve(SOURCES)) && Files.isRegularFile(dir.resolve(ARCHITECTURE))) {
          return dir;
        }
      }
    }
    throw new IllegalStateException("no directory holding " + SOURCES + " and " + ARCHITECTURE + " above "
        + Path.of("").toAbsolutePath() + " or " + testClasses);
  }

  private static SourceFile read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String path = root.relativize(file).toString();
    String code = withoutCommentsAndLiterals(text);
    Matcher declaration = PACKAGE_DECLARATION.matcher(code);
    String packageName = tableName(declaration.find() ? declaration.group(1) : "");
    List<Reference> references = new ArrayList<>();
    Matcher reference = PROJECT_REFERENCE.matcher(code);
    while (reference.find()) {
      String target = reference.group(1).isEmpty() ? BASE : reference.group(1).substring(1);
      if (!target.equals(packageName)) {
        references.add(new Reference(path, lineOf(code, reference.start()), reference.group(), target));
      }
    }
    return new SourceFile(path, packageName, (int) text.lines().count(), references);
  }

  /** How the table names a package: relative to dev.quorum, the root package by its full name. */
  private static String tableName(String javaPackage) {
    return javaPackage.startsWith(BASE + ".") ? javaPackage.substring(BASE.length() + 1) : javaPackage;
  }

  private static int lineOf(String text, int offset) {
    return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }

  /**
   * The source with comments and string and character literals blanked out (line breaks kept, so lines still count):
   * a class named in a comment or a string is no dependency.
   */
  private static String withoutCommentsAndLiterals(String source) {
    StringBuilder code = new StringBuilder(source);
    int i = 0;
    while (i < source.length()) {
      int end = endOfCommentOrLiteral(source, i);
      for (int j = i; j < end; j++) {
        if (code.charAt(j) != '\n') {
          code.setCharAt(j, ' ');
        }
      }
      i = Math.max(end, i + 1);
    }
    return code.toString();
  }

  /** Where the comment or literal that starts at {@code i} ends; {@code i} when none starts there. */
  private static int endOfCommentOrLiteral(String source, int i) {
    if (source.startsWith("//", i)) {
      int end = source.indexOf('\n', i);
      return end < 0 ? source.length() : end;
    }
    if (source.startsWith("/*", i)) {
      int end = source.indexOf("*/", i + 2);
      return end < 0 ? source.length() : end + 2;
    }
    if (source.startsWith("\"\"\"", i)) {
      return endOfLiteral(source, "\"\"\"", i + 3);
    }
    char c = source.charAt(i);
    return c == '"' || c == '\'' ? endOfLiteral(source, String.valueOf(c), i + 1) : i;
  }

  private static int endOfLiteral(String source, String quote, int from) {
    int j = from;
    while (j < source.length() && !source.startsWith(quote, j)) {
      j += source.charAt(j) == '\\' ? 2 : 1;
    }
    return Math.min(j + quote.length(), source.length());
  }

  /** Package → the packages it uses, each with its first use. */
  private static Map<String, Map<String, Reference>> dependencies() {
    Map<String, Map<String, Reference>> graph = new TreeMap<>();
    for (SourceFile source : sources) {
      Map<String, Reference> uses = graph.computeIfAbsent(source.packageName(), p -> new TreeMap<>());
      source.references().forEach(r -> uses.putIfAbsent(r.targetPackage(), r));
    }
    return graph;
  }

  /** The packages {@code start} reaches that also reach it, itself included, in name order. */
  private static Set<String> reachingEachOther(String start, Map<String, Map<String, Reference>> graph) {
    Set<String> group = new TreeSet<>(List.of(start));
    reachable(start, graph).stream().filter(p -> reachable(p, graph).contains(start)).forEach(group::add);
    return group;
  }

  private static Set<String> reachable(String start, Map<String, Map<String, Reference>> graph) {
    Set<String> reached = new TreeSet<>();
    Deque<String> queue = new ArrayDeque<>(List.of(start));
    while (!queue.isEmpty()) {
      graph.getOrDefault(queue.removeFirst(), Map.of()).keySet().stream().filter(reached::add).forEach(queue::addLast);
    }
    return reached;
  }

  /** The shortest path from {@code start} back to itself, breadth first; each package in it once. */
  private static Optional<List<String>> shortestCycleThrough(String start, Map<String, Map<String, Reference>> graph) {
    Map<String, String> reachedFrom = new LinkedHashMap<>();
    Deque<String> queue = new ArrayDeque<>(List.of(start));
    while (!queue.isEmpty()) {
      String current = queue.removeFirst();
      for (String next : graph.getOrDefault(current, Map.of()).keySet()) {
        if (next.equals(start)) {
          List<String> cycle = new ArrayList<>(List.of(current));
          for (String p = current; !p.equals(start); p = reachedFrom.get(p)) {
            cycle.add(0, reachedFrom.get(p));
          }
          return Optional.of(cycle);
        }
        if (!reachedFrom.containsKey(next)) {
          reachedFrom.put(next, current);
          queue.addLast(next);
        }
      }
    }
    return Optional.empty();
  }

  /** A cycle as one line per arrow, starting at its first package by name, so each cycle is reported once. */
  private static String describe(List<String> cycle, Map<String, Map<String, Reference>> graph) {
    int first = cycle.indexOf(cycle.stream().min(Comparator.naturalOrder()).orElseThrow());
    List<String> rotated = new ArrayList<>(cycle.subList(first, cycle.size()));
    rotated.addAll(cycle.subList(0, first));
    StringBuilder text = new StringBuilder(String.join(" → ", rotated) + " → " + rotated.get(0));
    for (int i = 0; i < rotated.size(); i++) {
      String from = rotated.get(i);
      String to = rotated.get((i + 1) % rotated.size());
      text.append("\n    ").append(from).append(" → ").append(to).append(": ").append(graph.get(from).get(to));
    }
    return text.toString();
  }

  private static String allowed(TableRow row) {
    return row.mayImport().isEmpty() ? "none" : String.join(", ", row.mayImport());
  }

  /**
   * The rows of the table under "## Packages" whose header is {@link #TABLE_HEADER}, by package: cells between
   * pipes, the package in backticks, the packages it may import in backticks separated by commas, or {@value NONE}.
   */
  private static Map<String, TableRow> table() {
    List<String> lines;
    try {
      lines = Files.readAllLines(root.resolve(ARCHITECTURE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int section = lines.indexOf(TABLE_SECTION);
    assertThat(section).as("a section %s in %s", TABLE_SECTION, ARCHITECTURE).isNotNegative();
    int header = section + 1;
    while (header < lines.size() && !lines.get(header).startsWith("## ")
        && !TABLE_HEADER.equals(cells(lines.get(header)))) {
      header++;
    }
    assertThat(header < lines.size() && TABLE_HEADER.equals(cells(lines.get(header))))
        .as("a table headed | %s | in the section %s of %s", String.join(" | ", TABLE_HEADER), TABLE_SECTION,
            ARCHITECTURE)
        .isTrue();
    List<String> separator = header + 1 < lines.size() ? cells(lines.get(header + 1)) : List.of();
    assertThat(separator.size() == TABLE_HEADER.size() && separator.stream().allMatch(c -> c.matches(":?-+:?")))
        .as("%s:%d: a |---|---|---| line under the table's header", ARCHITECTURE, header + 2)
        .isTrue();
    Map<String, TableRow> rows = new TreeMap<>();
    for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      TableRow row = row(i + 1, lines.get(i));
      assertThat(rows.put(row.packageName(), row)).as("a second row for %s at %s:%d", row.packageName(), ARCHITECTURE,
          row.line()).isNull();
    }
    return rows;
  }

  private static TableRow row(int line, String text) {
    List<String> cells = cells(text);
    String where = ARCHITECTURE + ":" + line;
    assertThat(cells).as("%s: a row has %d cells, separated by |", where, TABLE_HEADER.size())
        .hasSize(TABLE_HEADER.size());
    Matcher name = TABLE_NAME.matcher(cells.get(0));
    assertThat(name.matches()).as("%s: the first cell is one package name in backticks, not %s", where, cells.get(0))
        .isTrue();
    Set<String> mayImport = new TreeSet<>();
    String allowed = cells.get(2);
    if (!allowed.equals(NONE)) {
      for (String entry : allowed.split(",")) {
        Matcher allowedName = TABLE_NAME.matcher(entry.trim());
        assertThat(allowedName.matches())
            .as("%s: the last cell lists package names in backticks separated by commas, or %s; not %s", where, NONE,
                allowed)
            .isTrue();
        mayImport.add(allowedName.group(1));
      }
    }
    return new TableRow(line, text, name.group(1), mayImport);
  }

  private static List<String> cells(String line) {
    String trimmed = line.trim();
    if (!trimmed.startsWith("|") || !trimmed.endsWith("|") || trimmed.length() < 2) {
      return List.of();
    }
    return Stream.of(trimmed.substring(1, trimmed.length() - 1).split("\\|", -1)).map(String::trim).toList();
  }
}
