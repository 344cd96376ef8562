package dev.chrysalis.forge.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A ReDoS analyser for the regular-expression subset the contract uses. It builds the
 * position (Glushkov) automaton of a pattern and looks for the two kinds of ambiguity that make a
 * backtracking matcher such as {@code java.util.regex} super-linear on a failing input:
 * <ul>
 *   <li>EDA (exponential): a state with two different loops on the same word, found as a strongly
 *   connected component of the pair automaton holding both (p,p) and some (q,r) with q≠r;</li>
 *   <li>IDA (polynomial): states p≠q and a word w with p→p, p→q and q→q on w, found as (p,p,q)
 *   reaching (p,q,q) in the triple automaton.</li>
 * </ul>
 * A pattern with neither is linear for a backtracking matcher. Patterns must be anchored
 * ({@code ^…$}); syntax outside the supported subset is refused rather than guessed, so a new
 * construct means extending this class, never a silent pass.
 */
final class RegexAmbiguity {

  /** The result: null verdict means linear. */
  record Verdict(String kind, String detail) {
    boolean vulnerable() {
      return kind != null;
    }
  }

  /** Code points 0..0xFFFF stand for themselves; SUPPLEMENTARY stands for every code point above. */
  private static final int SUPPLEMENTARY = 0x10000;
  private static final int ALPHABET = 0x10001;
  private static final int MAX_COPIES = 16;

  private RegexAmbiguity() {
  }

  static Verdict analyse(String pattern) {
    if (!pattern.startsWith("^") || !pattern.endsWith("$") || pattern.endsWith("\\$")) {
      return new Verdict("unanchored", "patterns must be anchored with ^ and $");
    }
    Parser parser = new Parser(pattern.substring(1, pattern.length() - 1));
    Node root = parser.parseAlternation();
    if (parser.pos != parser.src.length()) {
      throw new IllegalArgumentException("unsupported syntax at " + parser.pos + " in " + pattern);
    }
    Glushkov g = new Glushkov(parser.positions);
    g.build(root);
    return g.verdict();
  }

  // ---- syntax tree ----

  private sealed interface Node permits Sym, Seq, Alt, Star, Opt, Empty {
  }

  private record Sym(int position) implements Node {
  }

  private record Seq(List<Node> items) implements Node {
  }

  private record Alt(List<Node> options) implements Node {
  }

  private record Star(Node body) implements Node {
  }

  private record Opt(Node body) implements Node {
  }

  private record Empty() implements Node {
  }

  private static final class Parser {
    final String src;
    int pos;
    final List<BitSet> positions = new ArrayList<>();

    Parser(String src) {
      this.src = src;
    }

    Node parseAlternation() {
      List<Node> options = new ArrayList<>();
      options.add(parseSequence());
      while (pos < src.length() && src.charAt(pos) == '|') {
        pos++;
        options.add(parseSequence());
      }
      return options.size() == 1 ? options.get(0) : new Alt(options);
    }

    Node parseSequence() {
      List<Node> items = new ArrayList<>();
      while (pos < src.length() && src.charAt(pos) != '|' && src.charAt(pos) != ')') {
        int atomStart = pos;
        Node atom = parseAtom();
        int atomEnd = pos;
        items.add(quantify(atom, atomStart, atomEnd));
      }
      return items.isEmpty() ? new Empty() : new Seq(items);
    }

    private Node quantify(Node atom, int atomStart, int atomEnd) {
      if (pos >= src.length()) {
        return atom;
      }
      char c = src.charAt(pos);
      Node result;
      if (c == '*') {
        pos++;
        result = new Star(atom);
      } else if (c == '+') {
        pos++;
        result = new Seq(List.of(atom, new Star(reparse(atomStart, atomEnd))));
      } else if (c == '?') {
        pos++;
        result = new Opt(atom);
      } else if (c == '{') {
        int close = src.indexOf('}', pos);
        if (close < 0) {
          throw new IllegalArgumentException("unclosed {");
        }
        String[] bounds = src.substring(pos + 1, close).split(",", -1);
        pos = close + 1;
        int min = Integer.parseInt(bounds[0].trim());
        Integer max = bounds.length == 1 ? Integer.valueOf(min)
          : bounds[1].isBlank() ? null : Integer.valueOf(bounds[1].trim());
        result = repeat(atom, atomStart, atomEnd, min, max);
      } else {
        return atom;
      }
      if (pos < src.length() && (src.charAt(pos) == '?' || src.charAt(pos) == '+')) {
        // lazy and possessive forms: treated as the greedy form (an over-approximation for possessive)
        pos++;
      }
      return result;
    }

    /**
     * {n,m}: n copies then m−n optional ones. Beyond {@link #MAX_COPIES} the bound is treated as
     * unbounded, which only adds ambiguity (the verdict stays conservative).
     */
    private Node repeat(Node atom, int atomStart, int atomEnd, int min, Integer max) {
      List<Node> items = new ArrayList<>();
      boolean unbounded = max == null || max > MAX_COPIES;
      int required = Math.min(min, MAX_COPIES);
      for (int i = 0; i < required; i++) {
        items.add(i == 0 ? atom : reparse(atomStart, atomEnd));
      }
      if (unbounded) {
        items.add(new Star(items.isEmpty() ? atom : reparse(atomStart, atomEnd)));
      } else {
        // nested, a(a(a)?)?, rather than a?a?a?, which would be ambiguous where Java is not
        Node tail = null;
        for (int i = min; i < max; i++) {
          Node copy = items.isEmpty() && i == max - 1 ? atom : reparse(atomStart, atomEnd);
          tail = new Opt(tail == null ? copy : new Seq(List.of(copy, tail)));
        }
        if (tail != null) {
          items.add(tail);
        }
      }
      return items.isEmpty() ? new Empty() : new Seq(items);
    }

    /** A fresh copy of the atom between the offsets, with its own positions. */
    private Node reparse(int start, int end) {
      int saved = pos;
      pos = start;
      Node copy = parseAtom();
      if (pos != end) {
        throw new IllegalStateException("reparse drifted");
      }
      pos = saved;
      return copy;
    }

    private Node parseAtom() {
      char c = src.charAt(pos);
      switch (c) {
        case '(' -> {
          pos++;
          if (src.startsWith("?:", pos)) {
            pos += 2;
          } else if (pos < src.length() && src.charAt(pos) == '?') {
            throw new IllegalArgumentException("unsupported group (?" + src.charAt(pos + 1) + " in " + src);
          }
          Node inner = parseAlternation();
          expect(')');
          return inner;
        }
        case '[' -> {
          return symbol(parseClass());
        }
        case '.' -> {
          pos++;
          BitSet any = all();
          any.clear('\n');
          any.clear('\r');
          any.clear(0x85);
          any.clear(0x2028);
          any.clear(0x2029);
          return symbol(any);
        }
        case '\\' -> {
          pos++;
          return symbol(parseEscape(false));
        }
        case '^', '$' -> throw new IllegalArgumentException("anchor inside the pattern: " + src);
        case '*', '+', '?', '{' -> throw new IllegalArgumentException("dangling quantifier at " + pos + ": " + src);
        default -> {
          pos++;
          BitSet one = new BitSet(ALPHABET);
          one.set(c);
          return symbol(one);
        }
      }
    }

    private Node symbol(BitSet set) {
      positions.add(set);
      return new Sym(positions.size() - 1);
    }

    private BitSet parseClass() {
      expect('[');
      boolean negated = false;
      if (pos < src.length() && src.charAt(pos) == '^') {
        negated = true;
        pos++;
      }
      BitSet set = new BitSet(ALPHABET);
      boolean first = true;
      while (pos < src.length() && (src.charAt(pos) != ']' || first)) {
        first = false;
        if (src.charAt(pos) == '[' || src.startsWith("&&", pos)) {
          throw new IllegalArgumentException("nested classes and intersections are not supported: " + src);
        }
        BitSet low = classAtom();
        if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
          pos++;
          BitSet high = classAtom();
          if (low.cardinality() != 1 || high.cardinality() != 1) {
            throw new IllegalArgumentException("range over a class: " + src);
          }
          set.set(low.nextSetBit(0), high.nextSetBit(0) + 1);
        } else {
          set.or(low);
        }
      }
      expect(']');
      if (negated) {
        set.flip(0, ALPHABET);
      }
      return set;
    }

    private BitSet classAtom() {
      char c = src.charAt(pos);
      if (c == '\\') {
        pos++;
        return parseEscape(true);
      }
      pos++;
      BitSet one = new BitSet(ALPHABET);
      one.set(c);
      return one;
    }

    private BitSet parseEscape(boolean inClass) {
      char e = src.charAt(pos++);
      BitSet set = new BitSet(ALPHABET);
      switch (e) {
        case 's', 'S' -> {
          for (char w : new char[] {' ', '\t', '\n', 0x0B, '\f', '\r'}) {
            set.set(w);
          }
        }
        case 'd', 'D' -> set.set('0', '9' + 1);
        case 'w', 'W' -> {
          set.set('a', 'z' + 1);
          set.set('A', 'Z' + 1);
          set.set('0', '9' + 1);
          set.set('_');
        }
        case 'u' -> {
          set.set(Integer.parseInt(src.substring(pos, pos + 4), 16));
          pos += 4;
          return set;
        }
        case 'x' -> {
          set.set(Integer.parseInt(src.substring(pos, pos + 2), 16));
          pos += 2;
          return set;
        }
        case 't' -> {
          set.set('\t');
          return set;
        }
        case 'n' -> {
          set.set('\n');
          return set;
        }
        case 'r' -> {
          set.set('\r');
          return set;
        }
        case 'f' -> {
          set.set('\f');
          return set;
        }
        default -> {
          if (Character.isLetterOrDigit(e)) {
            throw new IllegalArgumentException("unsupported escape \\" + e + " in " + src);
          }
          set.set(e);
          return set;
        }
      }
      if (Character.isUpperCase(e)) {
        set.flip(0, ALPHABET);
      }
      return set;
    }

    private void expect(char c) {
      if (pos >= src.length() || src.charAt(pos) != c) {
        throw new IllegalArgumentException("expected '" + c + "' at " + pos + " in " + src);
      }
      pos++;
    }

    private static BitSet all() {
      BitSet s = new BitSet(ALPHABET);
      s.set(0, ALPHABET);
      return s;
    }
  }

  // ---- position automaton and the ambiguity checks ----

  private static final class Glushkov {
    private final List<BitSet> sets;
    private final int k;
    private final List<BitSet> follow = new ArrayList<>();
    private BitSet first;
    /** For each distinct class of characters, which positions accept it. */
    private final List<BitSet> atoms = new ArrayList<>();

    Glushkov(List<BitSet> sets) {
      this.sets = sets;
      this.k = sets.size();
      for (int i = 0; i < k; i++) {
        follow.add(new BitSet());
      }
    }

    void build(Node root) {
      first = walk(root).first;
      Map<BitSet, Boolean> seen = new LinkedHashMap<>();
      for (int c = 0; c < ALPHABET; c++) {
        BitSet sig = new BitSet(k);
        for (int p = 0; p < k; p++) {
          if (sets.get(p).get(c)) {
            sig.set(p);
          }
        }
        if (!sig.isEmpty()) {
          seen.putIfAbsent(sig, Boolean.TRUE);
        }
      }
      atoms.addAll(seen.keySet());
    }

    private record Info(boolean nullable, BitSet first, BitSet last) {
    }

    private Info walk(Node n) {
      if (n instanceof Empty) {
        return new Info(true, new BitSet(), new BitSet());
      }
      if (n instanceof Sym s) {
        BitSet one = new BitSet();
        one.set(s.position());
        return new Info(false, one, (BitSet) one.clone());
      }
      if (n instanceof Alt a) {
        boolean nullable = false;
        BitSet f = new BitSet();
        BitSet l = new BitSet();
        for (Node o : a.options()) {
          Info i = walk(o);
          nullable |= i.nullable;
          f.or(i.first);
          l.or(i.last);
        }
        return new Info(nullable, f, l);
      }
      if (n instanceof Opt o) {
        Info i = walk(o.body());
        return new Info(true, i.first, i.last);
      }
      if (n instanceof Star s) {
        Info i = walk(s.body());
        for (int p = i.last.nextSetBit(0); p >= 0; p = i.last.nextSetBit(p + 1)) {
          follow.get(p).or(i.first);
        }
        return new Info(true, i.first, i.last);
      }
      Seq seq = (Seq) n;
      Info acc = new Info(true, new BitSet(), new BitSet());
      for (Node item : seq.items()) {
        Info i = walk(item);
        for (int p = acc.last.nextSetBit(0); p >= 0; p = acc.last.nextSetBit(p + 1)) {
          follow.get(p).or(i.first);
        }
        BitSet f = (BitSet) acc.first.clone();
        if (acc.nullable) {
          f.or(i.first);
        }
        BitSet l = (BitSet) i.last.clone();
        if (i.nullable) {
          l.or(acc.last);
        }
        acc = new Info(acc.nullable && i.nullable, f, l);
      }
      return acc;
    }

    /** States: 0 is the start, position p is state p+1; a transition into p reads a character of p's set. */
    private BitSet successors(int state) {
      return state == 0 ? first : follow.get(state - 1);
    }

    private boolean share(int... states) {
      for (BitSet atom : atoms) {
        boolean all = true;
        for (int s : states) {
          if (!atom.get(s - 1)) {
            all = false;
            break;
          }
        }
        if (all) {
          return true;
        }
      }
      return false;
    }

    Verdict verdict() {
      int n = k + 1;
      // EDA: an SCC of the pair graph containing (p,p) and (q,r) with q≠r
      Map<Long, List<Long>> pairEdges = new HashMap<>();
      for (int a = 0; a < n; a++) {
        for (int b = 0; b < n; b++) {
          List<Long> out = new ArrayList<>();
          BitSet sa = successors(a);
          BitSet sb = successors(b);
          for (int x = sa.nextSetBit(0); x >= 0; x = sa.nextSetBit(x + 1)) {
            for (int y = sb.nextSetBit(0); y >= 0; y = sb.nextSetBit(y + 1)) {
              if (share(x + 1, y + 1)) {
                out.add(key(x + 1, y + 1, 0));
              }
            }
          }
          pairEdges.put(key(a, b, 0), out);
        }
      }
      for (int p = 1; p < n; p++) {
        long start = key(p, p, 0);
        BitSet forward = reach(start, pairEdges, n);
        for (int q = 1; q < n; q++) {
          for (int r = 1; r < n; r++) {
            if (q != r && forward.get(index(key(q, r, 0), n))
              && reach(key(q, r, 0), pairEdges, n).get(index(start, n))) {
              return new Verdict("exponential (EDA)", "two different loops through position " + (p - 1));
            }
          }
        }
      }
      // IDA: (p,p,q) reaches (p,q,q) with p≠q
      for (int p = 1; p < n; p++) {
        for (int q = 1; q < n; q++) {
          if (p == q) {
            continue;
          }
          if (reachTriple(p, q, n)) {
            return new Verdict("polynomial (IDA)", "positions " + (p - 1) + " and " + (q - 1)
              + " loop on a common word and lead from one to the other");
          }
        }
      }
      return new Verdict(null, null);
    }

    private boolean reachTriple(int p, int q, int n) {
      BitSet visited = new BitSet(n * n * n);
      ArrayDeque<int[]> queue = new ArrayDeque<>();
      queue.add(new int[] {p, p, q});
      visited.set((p * n + p) * n + q);
      while (!queue.isEmpty()) {
        int[] t = queue.poll();
        BitSet sa = successors(t[0]);
        BitSet sb = successors(t[1]);
        BitSet sc = successors(t[2]);
        for (int x = sa.nextSetBit(0); x >= 0; x = sa.nextSetBit(x + 1)) {
          for (int y = sb.nextSetBit(0); y >= 0; y = sb.nextSetBit(y + 1)) {
            if (!share(x + 1, y + 1)) {
              continue;
            }
            for (int z = sc.nextSetBit(0); z >= 0; z = sc.nextSetBit(z + 1)) {
              if (!share(x + 1, y + 1, z + 1)) {
                continue;
              }
              if (x + 1 == p && y + 1 == q && z + 1 == q) {
                return true;
              }
              int idx = ((x + 1) * n + (y + 1)) * n + (z + 1);
              if (!visited.get(idx)) {
                visited.set(idx);
                queue.add(new int[] {x + 1, y + 1, z + 1});
              }
            }
          }
        }
      }
      return false;
    }

    private static long key(int a, int b, int c) {
      return ((long) a << 32) | ((long) b << 16) | c;
    }

    private static int index(long key, int n) {
      int a = (int) (key >>> 32);
      int b = (int) ((key >>> 16) & 0xFFFF);
      return a * n + b;
    }

    private static BitSet reach(long start, Map<Long, List<Long>> edges, int n) {
      BitSet seen = new BitSet(n * n);
      ArrayDeque<Long> queue = new ArrayDeque<>();
      queue.add(start);
      while (!queue.isEmpty()) {
        long cur = queue.poll();
        for (long next : edges.getOrDefault(cur, List.of())) {
          int i = index(next, n);
          if (!seen.get(i)) {
            seen.set(i);
            queue.add(next);
          }
        }
      }
      return seen;
    }
  }
}
