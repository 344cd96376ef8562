package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.testing.Api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** Fires requests concurrently (all released together) and collects the responses. */
final class Burst {

  private Burst() {
  }

  static List<Api.Resp> fire(int count, IntFunction<Api.Resp> request) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(count, 100));
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Api.Resp>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        futures.add(pool.submit(() -> {
          go.await();
          return request.apply(n);
        }));
      }
      go.countDown();
      List<Api.Resp> out = new ArrayList<>();
      for (Future<Api.Resp> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  static long count(List<Api.Resp> responses, int status) {
    return responses.stream().filter(r -> r.status() == status).count();
  }
}
