using ActorHttp.Actors;
using ActorHttp.Hosting;
using ActorHttp.Tests.Support;
using Akka.Actor;

namespace ActorHttp.Tests.Hosting;

/// <summary><c>actorhttp.server.connection-dispatcher</c>: where connection actors run, and a clear refusal of a wrong path.</summary>
public sealed class ConnectionDispatcherTests
{
    [Fact]
    public void By_default_connections_get_their_own_dispatcher_with_a_thread_per_core()
    {
        var config = ServerConfiguration.Load();

        Assert.Equal("actorhttp.connection-dispatcher", ServerSettings.FromConfig(config).ConnectionDispatcher);
        Assert.Equal("ForkJoinDispatcher", config.GetString("actorhttp.connection-dispatcher.type"));
        Assert.Equal(Environment.ProcessorCount, config.GetInt("actorhttp.connection-dispatcher.dedicated-thread-pool.thread-count"));
        Assert.Equal(3, ServerConfiguration.Load(overrides: "actorhttp.connection-dispatcher.dedicated-thread-pool.thread-count = 3")
            .GetInt("actorhttp.connection-dispatcher.dedicated-thread-pool.thread-count"));
    }

    [Theory]
    [InlineData("actorhttp.connection-dispatcher", "actorhttp.connection-dispatcher")]
    [InlineData("", "akka.actor.default-dispatcher")]
    public async Task Connections_run_on_the_configured_dispatcher_and_serve(string configured, string expected)
    {
        await using var server = await TestServer.StartAsync($"actorhttp.server.connection-dispatcher = \"{configured}\"");
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        var connection = await server.System.ActorSelection("/user/listener/connection-*").ResolveOne(TimeSpan.FromSeconds(5));
        Assert.Equal(expected, ((ActorRefWithCell)connection).Underlying.Props.Dispatcher);
    }

    [Fact]
    public async Task A_dispatcher_path_that_is_not_configured_stops_the_start_with_its_name()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync("actorhttp.server.connection-dispatcher = \"no.such.dispatcher\""));

        Assert.Contains("no.such.dispatcher", error.ToString());
    }
}
