using ActorHttp.Actors;
using ActorHttp.Hosting;
using ActorHttp.Tests.Support;
using Akka.Actor;

namespace ActorHttp.Tests.Hosting;

/// <summary><c>actorhttp.server.connection-dispatcher</c>: where connection actors run, and a clear refusal of a wrong path.</summary>
public sealed class ConnectionDispatcherTests
{
    [Fact]
    public void By_default_connections_get_their_own_dispatcher_on_the_thread_pools_global_queue()
    {
        var config = ServerConfiguration.Load();

        Assert.Equal("actorhttp.connection-dispatcher", ServerSettings.FromConfig(config).ConnectionDispatcher);
        Assert.Equal("Dispatcher", config.GetString("actorhttp.connection-dispatcher.type"));
        Assert.Equal(typeof(GlobalQueueExecutorConfigurator), Type.GetType(config.GetString("actorhttp.connection-dispatcher.executor")));
    }

    [Fact]
    public async Task The_global_queue_executor_runs_each_mailbox_on_a_thread_pool_thread()
    {
        var executor = new GlobalQueueExecutorConfigurator(Akka.Configuration.Config.Empty, null!).Produce("test");
        var ran = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        executor.Execute(new Akka.Dispatch.ActionRunnable(() => ran.SetResult(Thread.CurrentThread.IsThreadPoolThread)));

        Assert.True(await ran.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("actorhttp.connection-dispatcher", "actorhttp.connection-dispatcher")]
    [InlineData("actorhttp.dedicated", "actorhttp.dedicated")]
    [InlineData("", "akka.actor.default-dispatcher")]
    public async Task Connections_run_on_the_configured_dispatcher_and_serve(string configured, string expected)
    {
        await using var server = await TestServer.StartAsync(
            $"actorhttp.server.connection-dispatcher = \"{configured}\"\nactorhttp.dedicated {{ type = ForkJoinDispatcher, dedicated-thread-pool.thread-count = 2 }}");
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
