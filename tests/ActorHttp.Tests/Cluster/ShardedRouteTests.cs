using System.Net;
using System.Net.Http;
using System.Text;
using ActorHttp.Actors;
using ActorHttp.Cluster;
using ActorHttp.Handlers;
using ActorHttp.Hosting;
using ActorHttp.Protocol;
using ActorHttp.Tests.Support;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ActorHttp.Tests.Cluster;

/// <summary>A node that forms a cluster of one in this process, serving the demo's carts and a test entity.</summary>
public sealed class SingleNodeClusterFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("actorhttp-cluster-").FullName;

    public ActorHttpServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync(ClusterTestConfig.SingleNode(_dataDirectory) + "\nactorhttp.cluster.sharding.max-request-body-bytes = 1k", routes =>
            routes.MapSharded<CountingEntity>("/counting/{name}", typeName: "counting", entityId: "name"));
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Server.Endpoint.Port}"), Timeout = TimeSpan.FromSeconds(30) };
        await ClusterTestConfig.WaitUntilCartsAnswerAsync(Http);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

/// <summary>Settings for test nodes: a remoting port of the OS's choosing, a self-join, short failure handling.</summary>
public static class ClusterTestConfig
{
    public static string SingleNode(string dataDirectory) => $$"""
        actorhttp.cluster {
          enabled = on
          port = 0
          split-brain-resolver.stable-after = 2s
        }
        actorhttp.persistence.data-dir = {{HoconText.Quote(dataDirectory)}}
        # The first request waits for the cluster to form and the journal's tables to be made.
        actorhttp.server.handler-timeout = 30s
        """;

    /// <summary>
    /// Waits until a node's carts answer: the cluster has formed, the shard coordinator runs and the
    /// journal is ready. Requests before that wait in the shard region (or time out on a loaded machine).
    /// </summary>
    public static async Task WaitUntilCartsAnswerAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            try
            {
                if ((await http.GetAsync($"/carts/warm-up-{Guid.NewGuid():N}")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException("The node's carts did not answer within 90 s");
            }

            // Polling an HTTP answer: no event to await from outside the process.
            await Task.Delay(200);
        }
    }
}

/// <summary>
/// A sharded entity that counts the requests it served (state in memory, per entity) and throws on
/// <c>?crash=1</c>: the crash must be answered 500 and the entity start over.
/// </summary>
public sealed class CountingEntity(string name) : HttpHandlerActor
{
    private int _served;

    protected override void OnRequest(RequestContext context)
    {
        if (context.Request.Query == "crash=1")
        {
            throw new InvalidOperationException("crash on purpose");
        }

        _served++;
        context.Respond(HttpResponse.Text(200, $"{name}:{_served}"));
    }
}

public sealed class ShardedRouteTests(SingleNodeClusterFixture node) : IClassFixture<SingleNodeClusterFixture>
{
    [Fact]
    public async Task A_cart_takes_items_answers_them_and_drops_them()
    {
        var cart = $"/carts/{Guid.NewGuid():N}";

        var added = await node.Http.PostAsync(cart, Json("""{"sku":"apple","quantity":2}"""));
        var more = await node.Http.PostAsync(cart, Json("""{"sku":"apple"}"""));
        var pear = await node.Http.PostAsync(cart, Json("""{"sku":"pear","quantity":1}"""));
        var read = await node.Http.GetStringAsync(cart);
        var removed = await node.Http.DeleteAsync(cart + "/items/apple");
        var removedAgain = await node.Http.DeleteAsync(cart + "/items/apple");
        var after = await node.Http.GetStringAsync(cart);

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(cart + "/items/apple", added.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Created, more.StatusCode);
        Assert.Equal(HttpStatusCode.Created, pear.StatusCode);
        Assert.Equal($$"""{"id":"{{cart[7..]}}","items":[{"sku":"apple","quantity":3},{"sku":"pear","quantity":1}]}""", read);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, removedAgain.StatusCode);
        Assert.Equal($$"""{"id":"{{cart[7..]}}","items":[{"sku":"pear","quantity":1}]}""", after);
    }

    [Fact]
    public async Task A_cart_refuses_bad_items_with_problem_details()
    {
        var cart = $"/carts/{Guid.NewGuid():N}";

        var notJson = await node.Http.PostAsync(cart, new StringContent("sku=apple", Encoding.UTF8, "text/plain"));
        var noSku = await node.Http.PostAsync(cart, Json("""{"quantity":1}"""));
        var zero = await node.Http.PostAsync(cart, Json("""{"sku":"apple","quantity":0}"""));
        var malformed = await node.Http.PostAsync(cart, Json("""{"sku":"""));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noSku.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", noSku.Content.Headers.ContentType!.MediaType);
        Assert.Equal("""{"id":"CART","items":[]}""".Replace("CART", cart[7..]), await node.Http.GetStringAsync(cart));
    }

    [Fact]
    public async Task Each_entity_keeps_its_own_state_and_a_crash_costs_one_500_and_that_state()
    {
        var a = $"/counting/{Guid.NewGuid():N}";
        var b = $"/counting/{Guid.NewGuid():N}";

        Assert.EndsWith(":1", await node.Http.GetStringAsync(a));
        Assert.EndsWith(":2", await node.Http.GetStringAsync(a));
        Assert.EndsWith(":1", await node.Http.GetStringAsync(b));
        var crash = await node.Http.GetAsync(a + "?crash=1");
        // Restarted by its shard: a new instance, counting from the start again; b is untouched.
        var afterCrash = await node.Http.GetStringAsync(a);
        var other = await node.Http.GetStringAsync(b);

        Assert.Equal(HttpStatusCode.InternalServerError, crash.StatusCode);
        Assert.Equal(a[10..] + ":1", afterCrash);
        Assert.Equal(b[10..] + ":2", other);
    }

    [Fact]
    public async Task A_body_over_the_sharded_limit_is_refused_with_413_before_it_travels()
    {
        var cart = $"/carts/{Guid.NewGuid():N}";
        var padding = new string(' ', 1100);

        var response = await node.Http.PostAsync(cart, Json($$"""{"sku":"apple"}{{padding}}"""));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("""{"id":"CART","items":[]}""".Replace("CART", cart[7..]), await node.Http.GetStringAsync(cart));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}

/// <summary>What MapSharded refuses, at registration or at start, with a message that says why.</summary>
public sealed class ShardedRouteRegistrationTests
{
    [Fact]
    public async Task A_sharded_route_without_the_cluster_fails_the_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<Akka.Configuration.ConfigurationException>(() =>
            TestServer.StartAsync(routes: routes => routes.MapSharded<CountingEntity>("/counting/{name}", "counting", "name")));

        Assert.Contains("/counting/{name}", error.Message);
        Assert.Contains("actorhttp.cluster.enabled = on", error.Message);
    }

    [Fact]
    public async Task The_cluster_with_another_concurrency_model_fails_the_start()
    {
        var error = await Assert.ThrowsAsync<Akka.Configuration.ConfigurationException>(() =>
            TestServer.StartAsync("actorhttp.cluster.enabled = on\nactorhttp.server.model = \"threads\""));

        Assert.Equal("actorhttp.cluster.enabled = on needs actorhttp.server.model = \"actors\" (sharded routes are actors), not \"threads\"", error.Message);
    }

    [Fact]
    public void A_template_without_the_entity_parameter_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new RouteBuilder().MapSharded<CountingEntity>("/counting/{name}", "counting", "id"));

        Assert.Contains("{id} is not a segment", error.Message);
    }

    [Fact]
    public void One_type_name_cannot_serve_two_entity_types()
    {
        var routes = new RouteBuilder().MapSharded<CountingEntity>("/counting/{name}", "counting", "name");

        var error = Assert.Throws<ArgumentException>(() => routes.MapSharded<ActorHttp.Handlers.Demo.Carts.CartEntity>("/other/{id}", "counting", "id"));

        Assert.Contains("one entity type per type name", error.Message);
    }

    [Fact]
    public void An_entity_type_without_an_id_constructor_needs_entity_props()
    {
        var error = Assert.Throws<ArgumentException>(() => new RouteBuilder().MapSharded<NoIdEntity>("/x/{id}", "x", "id"));

        Assert.Contains("no constructor taking the entity id", error.Message);
        new RouteBuilder().MapSharded<NoIdEntity>("/x/{id}", "x", "id", entityProps: _ => Props.Create<NoIdEntity>());
    }

    [Fact]
    public void A_sharded_route_with_a_streamed_body_is_refused_with_a_clear_message()
    {
        var sharded = new RouteBuilder().MapSharded<CountingEntity>("/counting/{name}", "counting", "name").Routes[0];
        var streaming = sharded with { StreamedBodyLimit = 1_000_000 };
        var builder = new AkkaConfigurationBuilder(new ServiceCollection(), "test");

        var error = Assert.Throws<ArgumentException>(() => builder.WithActorHttpCluster(new ClusterSettings { Enabled = true }, [streaming]));

        Assert.Contains("/counting/{name} is sharded and streams request bodies", error.Message);
    }

    private sealed class NoIdEntity : HttpHandlerActor
    {
        protected override void OnRequest(RequestContext context) => context.Respond(HttpResponse.Empty(204));
    }
}
