using System.Net;
using System.Net.Http;
using System.Text;
using ActorHttp.Hosting;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Cluster;

/// <summary>
/// A cart's acknowledged items outlive its node: written through one server, read back by a fresh
/// server on the same store, against the embedded SQLite and against a real PostgreSQL.
/// </summary>
public sealed class CartPersistenceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Acknowledged_items_survive_a_restart_on_sqlite()
    {
        var data = Directory.CreateTempSubdirectory("actorhttp-carts-").FullName;
        try
        {
            await WriteThenReadAfterRestartAsync(ClusterTestConfig.SingleNode(data));
            Assert.True(File.Exists(Path.Combine(data, "actorhttp.db")));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Acknowledged_items_survive_a_restart_on_postgresql()
    {
        Skip.If(postgres.Unavailable is not null, postgres.Unavailable);
        var data = Directory.CreateTempSubdirectory("actorhttp-carts-").FullName;
        try
        {
            await WriteThenReadAfterRestartAsync(ClusterTestConfig.SingleNode(data) + $"""

                actorhttp.persistence.provider = postgresql
                actorhttp.persistence.connection-string = {HoconText.Quote(postgres.ConnectionString!)}
                """);
            // Nothing went to the embedded store.
            Assert.False(File.Exists(Path.Combine(data, "actorhttp.db")));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Postgresql_without_a_connection_string_fails_the_start_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<Akka.Configuration.ConfigurationException>(() =>
            TestServer.StartAsync("actorhttp.persistence.provider = postgresql"));

        Assert.Contains("actorhttp.persistence.connection-string must be set", error.Message);
    }

    private static async Task WriteThenReadAfterRestartAsync(string config)
    {
        var cart = $"/carts/{Guid.NewGuid():N}";
        var skus = Enumerable.Range(0, 5).Select(i => $"sku-{i}").ToArray();
        await using (var first = await TestServer.StartAsync(config))
        {
            using var http = Client(first);
            await ClusterTestConfig.WaitUntilCartsAnswerAsync(http);
            foreach (var sku in skus)
            {
                var added = await http.PostAsync(cart, new StringContent($$"""{"sku":"{{sku}}"}""", Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            }

            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(cart + "/items/sku-0")).StatusCode);
        }

        await using var second = await TestServer.StartAsync(config);
        using var again = Client(second);
        await ClusterTestConfig.WaitUntilCartsAnswerAsync(again);
        var read = await again.GetStringAsync(cart);

        Assert.Equal(
            $$"""{"id":"{{cart[7..]}}","items":[{{string.Join(',', skus.Skip(1).Select(s => $$"""{"sku":"{{s}}","quantity":1}"""))}}]}""",
            read);
    }

    private static HttpClient Client(ActorHttpServer server) =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}"), Timeout = TimeSpan.FromSeconds(30) };
}
