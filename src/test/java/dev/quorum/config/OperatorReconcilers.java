package dev.quorum.config;

import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.jboss.jandex.Index;
import org.jboss.jandex.Indexer;

/**
 * The operator's reconcilers, found in its compiled classes (target/classes) rather than listed by hand, so a new
 * reconciler's rules reach the chart without anyone remembering to register it.
 */
public final class OperatorReconcilers {

  private OperatorReconcilers() {}

  /**
   * Every concrete Reconciler where the operator's classes are, by class name: target/classes, or the jar that
   * Failsafe puts on the classpath instead.
   */
  public static List<Class<?>> discover() {
    Path classes = operatorClasses();
    List<Class<?>> reconcilers = in(classes);
    if (reconcilers.isEmpty()) {
      throw new IllegalStateException("no Reconciler found in " + classes + ": is the operator compiled?");
    }
    return reconcilers;
  }

  /** Every concrete Reconciler among the class files under a directory or in a jar. */
  static List<Class<?>> in(Path classes) {
    // Jandex reads the class files without loading them: only the reconcilers are loaded
    Index index = index(classes);
    return index.getAllKnownImplementations(Reconciler.class).stream()
        .filter(c -> !c.isInterface() && !Modifier.isAbstract(c.flags()))
        .<Class<?>>map(c -> load(c.name().toString()))
        .sorted(Comparator.comparing(Class::getName))
        .toList();
  }

  private static Path operatorClasses() {
    try {
      return Path.of(OperatorRbac.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Index index(Path classes) {
    Indexer indexer = new Indexer();
    try {
      if (Files.isDirectory(classes)) {
        try (Stream<Path> files = Files.walk(classes)) {
          for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
            try (InputStream in = Files.newInputStream(file)) {
              indexer.index(in);
            }
          }
        }
      } else {
        try (JarFile jar = new JarFile(classes.toFile())) {
          for (JarEntry entry : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
            try (InputStream in = jar.getInputStream(entry)) {
              indexer.index(in);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("indexing " + classes, e);
    }
    return indexer.complete();
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, OperatorReconcilers.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(name + " was indexed but cannot be loaded", e);
    }
  }
}
