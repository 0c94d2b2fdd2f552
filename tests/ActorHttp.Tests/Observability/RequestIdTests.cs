using ActorHttp.Hosting;
using ActorHttp.Observability;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Observability;

/// <summary>X-Request-Id: taken when sane, made otherwise, echoed, on the access log line and on the handler's log lines.</summary>
public sealed class RequestIdTests : IAsyncLifetime
{
    private readonly CollectingSink _log = new();
    private ActorHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await ObservedServer.StartAsync(_log);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("abc-123")]
    [InlineData("0af7651916cd43dd8448eb211c80319c")]
    [InlineData("req:2026/12/02+a=b@c.d_e")]
    public void A_sane_id_is_kept(string id) => Assert.Equal(id, RequestIds.For(id));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("quote\"d")]
    [InlineData("new\nline")]
    [InlineData("ünïcode")]
    public void An_absent_or_unsafe_id_is_replaced_by_a_fresh_one(string? sent)
    {
        var id = RequestIds.For(sent);
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.NotEqual(id, RequestIds.For(sent));
    }

    [Fact]
    public void An_id_over_128_characters_is_replaced()
    {
        Assert.Equal(new string('a', 128), RequestIds.For(new string('a', 128)));
        Assert.Matches("^[0-9a-f]{32}$", RequestIds.For(new string('a', 129)));
    }

    [Fact]
    public async Task The_id_sent_is_echoed_and_written_on_the_access_log_line()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: t\r\nX-Request-Id: client-chosen-1\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal("client-chosen-1", response.Header("X-Request-Id"));
        var line = await ObservedServer.WaitForEventAsync(_log, e => ObservedServer.IsAccessLine(e) && ObservedServer.Text(e, "RequestId") == "client-chosen-1");
        Assert.Same(ActorHttp.Hosting.AccessLogEvents.TemplateWithIds, line.MessageTemplate);
    }

    [Fact]
    public async Task A_request_without_an_id_gets_a_generated_one_echoed()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        var response = await client.ReadResponseAsync();

        var id = response.Header("X-Request-Id");
        Assert.NotNull(id);
        Assert.Matches("^[0-9a-f]{32}$", id);
        await ObservedServer.WaitForEventAsync(_log, e => ObservedServer.IsAccessLine(e) && ObservedServer.Text(e, "RequestId") == id);
    }

    [Fact]
    public async Task A_handler_log_line_names_the_request_it_was_handling()
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        await client.SendAsync("GET /crash HTTP/1.1\r\nHost: t\r\nX-Request-Id: crash-id-77\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal(500, response.Status);
        Assert.Equal("crash-id-77", response.Header("X-Request-Id"));
        // The crash's one log line, written by the handler base through the handler's own Log.
        var crash = await ObservedServer.WaitForEventAsync(_log, e => e.RenderMessage().Contains("answering 500", StringComparison.Ordinal));
        Assert.Equal("crash-id-77", ObservedServer.Text(crash, "RequestId"));
        Assert.DoesNotContain("crash-id-77", crash.RenderMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_request_ids_off_nothing_is_added()
    {
        await using var server = await ObservedServer.StartAsync(new CollectingSink(), "actorhttp.telemetry.request-id = off");
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: t\r\nX-Request-Id: ignored\r\n\r\n");

        Assert.Null((await client.ReadResponseAsync()).Header("X-Request-Id"));
    }
}
