using ActorHttp.Handlers.Demo;
using ActorHttp.Handlers.Shared;
using ActorHttp.Handlers.StaticFiles;
using ActorHttp.Hosting;
using ActorHttp.Tests.Support;
using Akka.Actor;

namespace ActorHttp.Tests.Handlers.Shared;

/// <summary>The study's route table: the right handler, route values on the request, and the router's own answers.</summary>
public sealed class SharedRoutesTests(ActorRouterFixture actors) : IClassFixture<ActorRouterFixture>
{
    private readonly SharedRoutes _routes = SharedRoutes.Create(site: null, new InterlockedCounter());

    [Theory]
    [InlineData("GET", "/hello", typeof(HelloRequestHandler))]
    [InlineData("HEAD", "/hello", typeof(HelloRequestHandler))]
    [InlineData("GET", "/json", typeof(JsonRequestHandler))]
    [InlineData("PUT", "/echo", typeof(EchoRequestHandler))]
    [InlineData("GET", "/counter", typeof(CounterRequestHandler))]
    [InlineData("GET", "/slow", typeof(SlowRequestHandler))]
    [InlineData("GET", "/crash", typeof(CrashRequestHandler))]
    [InlineData("GET", "/cpu", typeof(CpuRequestHandler))]
    [InlineData("GET", "/block", typeof(BlockRequestHandler))]
    public void Each_route_leads_to_its_handler(string method, string path, Type handler)
    {
        var resolved = _routes.Resolve(SharedHandlerSupport.Request(method, path));

        Assert.IsType(handler, resolved.Handler);
        Assert.Empty(resolved.Request.RouteValues);
    }

    [Fact]
    public void Values_bound_by_a_template_are_set_on_the_request_the_handler_gets()
    {
        var resolved = _routes.Resolve(SharedHandlerSupport.Request("DELETE", "/echo/a/b"));

        Assert.IsType<EchoRequestHandler>(resolved.Handler);
        Assert.Equal("a/b", resolved.Request.RouteValues["rest"]);
        Assert.Equal(200, resolved.Handle().StatusCode);
    }

    [Fact]
    public async Task A_resolved_request_answers_in_both_forms()
    {
        var resolved = _routes.Resolve(SharedHandlerSupport.Get("/counter"));

        Assert.Equal("""{"count":1}""", resolved.Handle().BodyText());
        Assert.Equal("""{"count":2}""", (await resolved.HandleAsync(CancellationToken.None)).BodyText());
    }

    [Fact]
    public void What_no_route_serves_gets_the_router_answers()
    {
        var notFound = _routes.Resolve(SharedHandlerSupport.Get("/nowhere")).Handle();
        var wrongMethod = _routes.Resolve(SharedHandlerSupport.Request("POST", "/hello")).Handle();
        var options = _routes.Resolve(SharedHandlerSupport.Request("OPTIONS", "/counter")).Handle();
        var optionsServer = _routes.Resolve(SharedHandlerSupport.Request("OPTIONS", "*")).Handle();
        var unknownMethod = _routes.Resolve(SharedHandlerSupport.Request("BREW", "/hello")).Handle();

        Assert.Equal((404, "No resource at /nowhere.\n"), (notFound.StatusCode, notFound.BodyText()));
        Assert.Equal((405, "POST is not allowed on /hello.\n", "GET, HEAD, OPTIONS"), (wrongMethod.StatusCode, wrongMethod.BodyText(), wrongMethod.Header("Allow")));
        Assert.Equal((204, "GET, HEAD, OPTIONS"), (options.StatusCode, options.Header("Allow")));
        Assert.Equal("DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE", optionsServer.Header("Allow"));
        Assert.Equal((501, "The method BREW is not implemented by this server.\n"), (unknownMethod.StatusCode, unknownMethod.BodyText()));
    }

    [Fact]
    public void A_path_repeated_in_an_answer_shows_control_characters_encoded()
    {
        var notFound = _routes.Resolve(SharedHandlerSupport.Get("/nope\r\nX-Injected: 1")).Handle();

        Assert.Equal("No resource at /nope%0D%0AX-Injected: 1.\n", notFound.BodyText());
    }

    [Fact]
    public void With_a_site_every_other_path_is_a_static_file()
    {
        var root = Directory.CreateTempSubdirectory("actorhttp-shared-routes-");
        try
        {
            File.WriteAllText(Path.Combine(root.FullName, "page.txt"), "page");
            var routes = SharedRoutes.Create(new StaticFileSettings(root.FullName, "index.html", false, 64 * 1024, TimeSpan.Zero), new InterlockedCounter());

            var page = routes.Resolve(SharedHandlerSupport.Get("/page.txt"));
            var missing = routes.Resolve(SharedHandlerSupport.Get("/nowhere")).Handle();

            Assert.IsType<StaticFileRequestHandler>(page.Handler);
            Assert.Equal("page.txt", page.Request.RouteValues["path"]);
            Assert.Equal("page", page.Handle().BodyText());
            Assert.Equal((404, "No file at /nowhere.\n"), (missing.StatusCode, missing.BodyText()));
            Assert.IsType<HelloRequestHandler>(routes.Resolve(SharedHandlerSupport.Get("/hello")).Handler);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The same requests to the actor model's router (a server with the demo's handler actors on the
    /// same routes) and to the shared table: the same status, body and <c>Allow</c>.
    /// </summary>
    [Theory]
    [InlineData("GET /nowhere")]
    [InlineData("POST /hello")]
    [InlineData("DELETE /counter")]
    [InlineData("OPTIONS /cpu")]
    [InlineData("OPTIONS *")]
    [InlineData("BREW /block")]
    [InlineData("GET /hello")]
    [InlineData("GET /crash?fail=0")]
    [InlineData("GET /slow?ms=x")]
    public async Task Routing_answers_match_the_actor_router(string requestLine)
    {
        await using var client = await RawHttpClient.ConnectAsync(actors.Server.Endpoint);
        var (method, target) = (requestLine.Split(' ')[0], requestLine.Split(' ')[1]);
        await client.SendAsync($"{requestLine} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");

        var fromActors = await client.ReadResponseAsync();
        var shared = _routes.Resolve(SharedHandlerSupport.Request(method, target)).Handle();

        Assert.Equal(fromActors.Status, shared.StatusCode);
        Assert.Equal(fromActors.BodyText, shared.BodyText());
        Assert.Equal(fromActors.Header("Allow"), shared.Header("Allow"));
    }
}

/// <summary>A server whose router serves the demo's handler actors on the shared table's routes, and nothing else.</summary>
public sealed class ActorRouterFixture : IAsyncLifetime
{
    public ActorHttpServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ActorHttpServer.StartAsync(new ServerOptions
    {
        Host = "127.0.0.1",
        Port = 0,
        ConfigOverrides = TestServer.FastTimeouts,
        Environment = new Dictionary<string, string>(),
        Routes = routes => routes
            .MapGet("/hello", Props.Create<HelloHandler>())
            .MapGet("/json", Props.Create<JsonHandler>())
            .MapAny("/echo", Props.Create<EchoHandler>())
            .MapAny("/echo/{*rest}", Props.Create<EchoHandler>())
            .MapGet("/counter", Props.Create<CounterHandler>(), instances: 1)
            .MapGet("/slow", Props.Create<SlowHandler>())
            .MapGet("/crash", Props.Create<CrashHandler>())
            .MapGet("/cpu", Props.Create<CpuHandler>())
            .MapGet("/block", Props.Create<BlockHandler>()),
        Logger = new Serilog.LoggerConfiguration().CreateLogger(),
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
