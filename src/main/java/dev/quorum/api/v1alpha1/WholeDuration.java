package dev.quorum.api.v1alpha1;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A duration as the API writes it: a whole number and s, m, h or d (24 h), e.g. 30d, 168h or 5m. */
public final class WholeDuration {

  /** The CRDs' pattern for such a field. */
  public static final String PATTERN = "^[1-9][0-9]{0,8}(s|m|h|d)$";
  private static final Pattern PARTS = Pattern.compile("^([1-9][0-9]{0,8})(s|m|h|d)$");

  private WholeDuration() {}

  /** @throws IllegalArgumentException when {@code value} does not match {@link #PATTERN} */
  public static Duration parse(String field, String value) {
    Matcher m = PARTS.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(field + " " + value + " must be a whole number and s, m, h or d");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
