using System.Text;
using System.Text.Json;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Json;

/// <summary>The demo items API end to end: JSON in and out, problem details (RFC 9457) for every refusal.</summary>
public sealed class ItemsApiTests : IAsyncLifetime
{
    private ActorHttp.Hosting.ActorHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<RawResponse> SendAsync(string method, string target, string? json = null, string contentType = "application/json")
    {
        await using var client = await RawHttpClient.ConnectAsync(_server.Endpoint);
        var body = json is null ? string.Empty : json;
        var headers = json is null ? "Content-Length: 0\r\n" : $"Content-Type: {contentType}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n";
        await client.SendAsync(Encoding.Latin1.GetString(Encoding.UTF8.GetBytes($"{method} {target} HTTP/1.1\r\nHost: x\r\n{headers}\r\n{body}")));
        return await client.ReadResponseAsync(method == "HEAD");
    }

    private static JsonElement Json(RawResponse response) => JsonDocument.Parse(response.Body).RootElement.Clone();

    [Fact]
    public async Task Items_go_through_their_whole_life()
    {
        var created = await SendAsync("POST", "/api/items", """{"name":"teapot","price":12.5}""");
        Assert.Equal(201, created.Status);
        var id = Json(created).GetProperty("id").GetInt32();
        Assert.Equal($"/api/items/{id}", created.Header("Location"));
        Assert.Equal("application/json", created.Header("Content-Type"));

        var fetched = await SendAsync("GET", $"/api/items/{id}");
        Assert.Equal(200, fetched.Status);
        Assert.Equal("teapot", Json(fetched).GetProperty("name").GetString());
        Assert.Equal(12.5m, Json(fetched).GetProperty("price").GetDecimal());

        await SendAsync("POST", "/api/items", """{"name":"cup","price":3}""");
        var list = Json(await SendAsync("GET", "/api/items"));
        Assert.Equal(["teapot", "cup"], list.EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToArray());

        var replaced = await SendAsync("PUT", $"/api/items/{id}", """{"name":"kettle","price":20}""");
        Assert.Equal(200, replaced.Status);
        Assert.Equal("kettle", Json(replaced).GetProperty("name").GetString());

        Assert.Equal(204, (await SendAsync("DELETE", $"/api/items/{id}")).Status);
        var gone = await SendAsync("GET", $"/api/items/{id}");
        Assert.Equal(404, gone.Status);
        Assert.Equal("application/problem+json", gone.Header("Content-Type"));
        Assert.Equal(404, Json(gone).GetProperty("status").GetInt32());
        Assert.Equal(404, (await SendAsync("DELETE", $"/api/items/{id}")).Status);
        Assert.Equal(404, (await SendAsync("PUT", $"/api/items/{id}", """{"name":"x","price":1}""")).Status);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        var response = await SendAsync("POST", "/api/items", "name=teapot", "application/x-www-form-urlencoded");

        Assert.Equal(415, response.Status);
        Assert.Equal("application/problem+json", response.Header("Content-Type"));
        Assert.Contains("application/json", Json(response).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{"name":"teapot","price":""")]
    [InlineData("""{"name":"teapot","price":"twelve"}""")]
    [InlineData("not json")]
    [InlineData("null")]
    public async Task Malformed_json_is_400_with_a_problem_body(string body)
    {
        var response = await SendAsync("POST", "/api/items", body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.Header("Content-Type"));
        var problem = Json(response);
        Assert.Equal("about:blank", problem.GetProperty("type").GetString());
        Assert.Equal("Bad Request", problem.GetProperty("title").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Theory]
    [InlineData("""{"price":1}""", "name")]
    [InlineData("""{"name":"  ","price":1}""", "name")]
    [InlineData("""{"name":"cup"}""", "price")]
    [InlineData("""{"name":"cup","price":-1}""", "price")]
    public async Task Invalid_items_are_400_naming_the_field(string body, string field)
    {
        var response = await SendAsync("POST", "/api/items", body, "application/json; charset=utf-8");

        Assert.Equal(400, response.Status);
        Assert.Equal(field, Json(response).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Wrong_methods_are_405_with_allow()
    {
        var collection = await SendAsync("DELETE", "/api/items");
        var member = await SendAsync("POST", "/api/items/1", """{"name":"x","price":1}""");
        var unknown = await SendAsync("PATCH", "/api/items/1", """{"name":"x"}""");

        Assert.Equal(405, collection.Status);
        Assert.Equal("GET, HEAD, POST", collection.Header("Allow"));
        Assert.Equal(405, member.Status);
        Assert.Equal("DELETE, GET, HEAD, PUT", member.Header("Allow"));
        Assert.Equal(405, unknown.Status);
    }

    [Fact]
    public async Task A_path_that_is_not_an_item_id_is_404()
    {
        Assert.Equal(404, (await SendAsync("GET", "/api/items/abc")).Status);
        Assert.Equal(404, (await SendAsync("GET", "/api/items/1/parts")).Status);
    }
}
