package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.store.Pools;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQL of ProviderKeyStore against the shared test database. */
class ProviderKeyStoreTest {

  private static Pool pool;
  private static ProviderKeyStore store;

  @BeforeAll
  static void open() {
    TestApp app = TestApp.shared();
    pool = Pools.shared(app.vertx(), app.app().config());
    store = new ProviderKeyStore(pool);
  }

  @AfterAll
  static void close() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
  }

  private static ProviderKeyStore.KeyRow row(String id, String userId, String orgId, String provider, String ciphertext) {
    return new ProviderKeyStore.KeyRow(id, userId, orgId, provider, ciphertext, 1, "...abcd", null, null, null, true, null);
  }

  @Test
  void upsertReplacesPerOwnerAndProviderAndUserAndOrgKeysAreApart() throws Exception {
    String user = Users.register(TestApp.shared().api()).id();
    String org = "org_store" + System.nanoTime();
    store.upsert(row("pk_s1" + System.nanoTime(), user, null, "openai", "v1:AAAA"), user).await(10, TimeUnit.SECONDS);
    String second = "pk_s2" + System.nanoTime();
    store.upsert(row(second, user, null, "openai", "v1:BBBB"), user).await(10, TimeUnit.SECONDS);
    store.upsert(row("pk_s3" + System.nanoTime(), null, org, "openai", "v1:CCCC"), user).await(10, TimeUnit.SECONDS);

    assertThat(store.list(ProviderKeyStore.USER, user).await(10, TimeUnit.SECONDS)).hasSize(1);
    ProviderKeyStore.KeyRow mine = store.find(ProviderKeyStore.USER, user, "openai").await(10, TimeUnit.SECONDS);
    assertThat(mine.id()).isEqualTo(second);
    assertThat(mine.encryptedKey()).isEqualTo("v1:BBBB");
    assertThat(mine.aad()).isEqualTo("user:" + user + ":openai:" + second);
    ProviderKeyStore.KeyRow orgs = store.find(ProviderKeyStore.ORG, org, "openai").await(10, TimeUnit.SECONDS);
    assertThat(orgs.encryptedKey()).isEqualTo("v1:CCCC");
    assertThat(orgs.aad()).startsWith("org:" + org + ":openai:");

    assertThat(store.rewrap(second, "v1:stale", "v2:XXXX", 2).await(10, TimeUnit.SECONDS)).isFalse();
    assertThat(store.rewrap(second, "v1:BBBB", "v2:XXXX", 2).await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(store.find(ProviderKeyStore.USER, user, "openai").await(10, TimeUnit.SECONDS).keyVersion()).isEqualTo(2);

    assertThat(store.delete(ProviderKeyStore.USER, user, "openai").await(10, TimeUnit.SECONDS)).isEqualTo(second);
    assertThat(store.delete(ProviderKeyStore.USER, user, "openai").await(10, TimeUnit.SECONDS)).isNull();
    assertThat(store.find(ProviderKeyStore.ORG, org, "openai").await(10, TimeUnit.SECONDS)).isNotNull();
  }
}
