package dev.chrysalis.forge.http;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code pattern} in the contract runs on the event loop against text a caller chose, so each
 * must be linear-time for java.util.regex. The analyser itself is checked first against patterns
 * known to backtrack, so a broken analyser cannot pass the contract silently.
 */
class ContractPatternsTest {

  @Test
  void analyserFindsKnownSuperLinearPatterns() {
    // the email and name patterns the contract had: quadratic on "a@" + "."×n + "@" and on long names
    assertTrue(RegexAmbiguity.analyse("^\\s*[^\\s@]+@[^\\s@]+\\.[^\\s@]+\\s*$").vulnerable());
    assertTrue(RegexAmbiguity.analyse("^[^\\u0000-\\u001F\\u007F]*\\S[^\\u0000-\\u001F\\u007F]*$").vulnerable());
    assertTrue(RegexAmbiguity.analyse("^(a+)+$").kind().startsWith("exponential"));
    assertTrue(RegexAmbiguity.analyse("^(a|a)*$").kind().startsWith("exponential"));
    assertTrue(RegexAmbiguity.analyse("^(\\w|\\d)+$").kind().startsWith("exponential"));
    assertTrue(RegexAmbiguity.analyse("^a*a*$").kind().startsWith("polynomial"));
    assertTrue(RegexAmbiguity.analyse("^\\d+\\w+$").kind().startsWith("polynomial"));
    assertTrue(RegexAmbiguity.analyse("^(x\\d{1,3})+$").vulnerable() == false);
    assertTrue(RegexAmbiguity.analyse("[a-z]+").vulnerable(), "an unanchored pattern is refused");
  }

  @Test
  void analyserPassesLinearPatterns() {
    for (String linear : List.of("^[A-Za-z0-9_-]+$", "^[a-z0-9-]+$", "^chs_[0-9A-Za-z]{43}$",
      "^https?://[^\\s]+$", "^\\s*[^\\s@]+@[^\\s@.]+(\\.[^\\s@.]+)+\\s*$", "^a*b*$", "^(ab|cd)*$")) {
      assertFalse(RegexAmbiguity.analyse(linear).vulnerable(), linear + ": " + RegexAmbiguity.analyse(linear));
    }
  }

  @Test
  void everyContractPatternIsLinear() {
    Map<String, String> patterns = new TreeMap<>();
    // read from the YAML text: the loaded contract has its $refs resolved into cycles
    Matcher m = Pattern.compile("^.*?\\bpattern: \"((?:[^\"\\\\]|\\\\.)*)\"", Pattern.MULTILINE).matcher(contractText());
    int line = 0;
    while (m.find()) {
      patterns.put("forge.yaml@" + (++line) + " " + m.group(0).trim().split(":")[0], m.group(1).replace("\\\\", "\\"));
    }
    long declared = contractText().lines().filter(l -> l.contains("pattern:") || l.contains("patternProperties")).count();
    assertTrue(patterns.size() >= 10 && patterns.size() == declared,
      "every pattern is a double-quoted string the test reads: " + patterns.size() + " of " + declared);
    List<String> vulnerable = new ArrayList<>();
    patterns.forEach((where, pattern) -> {
      RegexAmbiguity.Verdict v = RegexAmbiguity.analyse(pattern);
      if (v.vulnerable()) {
        vulnerable.add(where + " " + pattern + " → " + v.kind() + ": " + v.detail());
      }
    });
    assertTrue(vulnerable.isEmpty(), "super-linear patterns in the contract:\n" + String.join("\n", vulnerable));
  }

  private static String contractText() {
    try {
      return Files.readString(Path.of("openapi", "forge.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
