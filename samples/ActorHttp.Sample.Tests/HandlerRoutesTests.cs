using System.Net;
using System.Security.Cryptography;
using System.Text;
using ActorHttp.Protocol;
using ActorHttp.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

/// <summary>
/// The sample's routes of the README's "Writing handlers" sections (<see cref="HandlerRoutes"/>), each
/// requested over HTTP from a test server that serves them as the sample's program does.
/// </summary>
public sealed class HandlerRoutesTests(HandlerRoutesTests.SampleServer sample) : IClassFixture<HandlerRoutesTests.SampleServer>
{
    private HttpClient Client => sample.Server.Client;

    [Fact]
    public async Task A_handler_mapped_by_type_answers_with_the_services_the_test_registers()
    {
        await using var forecasts = await ActorHttpTestServer.StartAsync(routes => routes
            .MapGet("/{city}", ctx => HttpResponse.Text(200, $"Sunny in {ctx.Request.RouteValues["city"]}")));
        await using var server = await ActorHttpTestServer.StartAsync(
            routes => routes.MapGet<ForecastHandler>("/weather/{city}"),
            new TestServerOptions
            {
                ConfigureServices = services => services.AddHttpClient("forecasts", http => http.BaseAddress = forecasts.BaseAddress),
            });

        Assert.Equal("Sunny in Lyon", await server.Client.GetStringAsync("/weather/Lyon"));
    }

    [Fact]
    public async Task The_forecast_route_asks_the_forecasts_client_for_the_escaped_city()
    {
        Assert.Equal("Sunny in São Paulo", await Client.GetStringAsync("/weather/S%C3%A3o%20Paulo"));
    }

    [Fact]
    public async Task A_forecasts_failure_is_a_502_not_a_crash()
    {
        using var response = await Client.GetAsync("/weather/Atlantis");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("The forecasts service did not answer.\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_function_routes_answer()
    {
        Assert.Equal("hi", await Client.GetStringAsync("/hi"));
        Assert.Equal("Grace Hopper", await Client.GetStringAsync("/users/2"));

        var unknown = await Client.GetAsync("/users/9");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("no such user\n", await unknown.Content.ReadAsStringAsync());

        // Not an int: the constraint keeps the route from matching at all.
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/users/ada")).StatusCode);
    }

    [Fact]
    public async Task The_search_route_reads_every_value_of_a_repeated_query_name()
    {
        Assert.Equal("actor model in a,b c", await Client.GetStringAsync("/search?q=actor+model&tag=a&TAG=b%20c"));
        Assert.Equal("actors in ", await Client.GetStringAsync("/search?q=actors"));
    }

    [Fact]
    public async Task The_streamed_csv_arrives_whole()
    {
        using var response = await Client.GetAsync("/report.csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.TransferEncodingChunked);   // no length given: chunked
        Assert.Equal(await File.ReadAllBytesAsync(sample.ReportPath), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_pipe_route_sends_all_its_producer_wrote()
    {
        var expected = string.Concat(Enumerable.Range(0, 100_000).Select(i => $"{i}\n"));

        Assert.Equal(expected, await Client.GetStringAsync("/numbers"));
    }

    [Fact]
    public async Task The_ticks_come_one_by_one_and_the_client_may_leave_early()
    {
        using var response = await Client.GetAsync("/ticks", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        Assert.Equal("tick 0", await reader.ReadLineAsync());
        Assert.Equal("tick 1", await reader.ReadLineAsync());
    }

    [Fact]
    public async Task The_hashing_handler_hashes_a_streamed_body_and_an_empty_one()
    {
        var body = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(body);

        using var hashed = await Client.PostAsync("/hash", new ByteArrayContent(body));
        using var empty = await Client.PostAsync("/hash", new ByteArrayContent([]));

        Assert.Equal(Convert.ToHexString(SHA256.HashData(body)), await hashed.Content.ReadAsStringAsync());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Array.Empty<byte>())), await empty.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// The sample's routes with a forecasts client pointed at a second test server (the upstream), and
    /// a report large enough to go out in many pieces.
    /// </summary>
    public sealed class SampleServer : IAsyncLifetime
    {
        public string ReportPath { get; } = Path.Combine(Path.GetTempPath(), $"actorhttp-sample-report-{Guid.NewGuid():N}.csv");

        public ActorHttpTestServer Server { get; private set; } = null!;

        private ActorHttpTestServer Forecasts { get; set; } = null!;

        public async Task InitializeAsync()
        {
            var report = new StringBuilder("day,orders\n");
            for (var day = 0; report.Length < 300_000; day++)
            {
                report.Append(System.Globalization.CultureInfo.InvariantCulture, $"{DateOnly.FromDayNumber(730_000 + day):yyyy-MM-dd},{day * 7 % 1000}\n");
            }

            await File.WriteAllTextAsync(ReportPath, report.ToString());
            Forecasts = await ActorHttpTestServer.StartAsync(routes => routes
                .MapGet("/Atlantis", ctx => HttpResponse.Text(503, "sunk\n"))
                .MapGet("/{city}", ctx => HttpResponse.Text(200, $"Sunny in {ctx.Request.RouteValues["city"]}")));
            Server = await ActorHttpTestServer.StartAsync(
                routes => HandlerRoutes.Map(routes, new UserDirectory(), ReportPath),
                new TestServerOptions
                {
                    ConfigureServices = services => services.AddHttpClient("forecasts", http => http.BaseAddress = Forecasts.BaseAddress),
                });
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            await Forecasts.DisposeAsync();
            File.Delete(ReportPath);
        }
    }
}
