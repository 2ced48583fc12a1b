package dev.quorum.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options of one of the image's tool commands ({@code render}, the node-local recovery commands): {@code --name
 * value} or {@code --name=value}, each known to the command; what cannot be read is a problem named for the user.
 *
 * @param help {@code --help} or {@code -h} was given
 */
public record CommandOptions(Map<String, String> values, List<String> problems, boolean help) {

  /** @param args the command line, the command's name first */
  public static CommandOptions parse(String[] args, List<String> known) {
    Map<String, String> values = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        return new CommandOptions(values, problems, true);
      }
      String name = arg;
      String value;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else if (arg.startsWith("--") && i + 1 < args.length) {
        value = args[++i];
      } else {
        problems.add(arg.startsWith("--") ? arg + " needs a value" : "unexpected argument '" + arg + "'");
        continue;
      }
      if (!known.contains(name)) {
        problems.add("unknown option " + name);
      }
      values.put(name, value);
    }
    return new CommandOptions(values, problems, false);
  }

  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  public String getOrDefault(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }
}
