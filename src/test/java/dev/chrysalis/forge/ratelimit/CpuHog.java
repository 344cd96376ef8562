package dev.chrysalis.forge.ratelimit;

import java.util.ArrayList;
import java.util.List;

/** Keeps every core busy (two spinning threads per core) while a test runs: a contended machine. */
final class CpuHog implements AutoCloseable {

  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  CpuHog() {
    int n = Runtime.getRuntime().availableProcessors() * 2;
    for (int i = 0; i < n; i++) {
      Thread t = new Thread(() -> {
        long x = 0;
        while (running) {
          x += System.nanoTime() % 7;
        }
        if (x == 42) {
          System.out.print("");
        }
      }, "cpu-hog-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(10_000);
    }
  }
}
