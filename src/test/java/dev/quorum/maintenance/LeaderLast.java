package dev.quorum.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.MaintenanceStatus;
import io.fabric8.kubernetes.api.model.Event;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the maintenance tests check of an operation that defragmented every member: the leader went last. */
final class LeaderLast {

  private LeaderLast() {}

  /**
   * The member leadership moved away from before its defragmentation (its {@code LeaderMoved} event) is the last one
   * the operation defragmented.
   */
  static void assertLeaderDefragmentedLast(List<Event> events, MaintenanceStatus done) {
    String moved = events.stream().filter(e -> "LeaderMoved".equals(e.getReason())).map(Event::getMessage)
        .filter(m -> m.contains("to defragment")).findFirst()
        .orElseThrow(() -> new AssertionError("no leadership hand-over before the leader's defragmentation: "
            + events.stream().map(Event::getReason).toList()));
    Matcher from = Pattern.compile("moved leadership from (\\S+) to").matcher(moved);
    assertThat(from.find()).as(moved).isTrue();
    List<String> defragmented = done.getDefragmented();
    assertThat(defragmented.get(defragmented.size() - 1)).as("the leader last").isEqualTo(from.group(1));
  }
}
