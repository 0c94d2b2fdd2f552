using System.Text;

namespace ActorHttp.Tests.Testing;

public sealed class TestRequestsTests
{
    [Fact]
    public void Get_splits_the_target_into_path_and_query_and_adds_host_and_fields()
    {
        var request = TestRequests.Get("/items?page=2&q=a%20b#top", ("Accept", "application/json"));

        Assert.Equal(("GET", "/items?page=2&q=a%20b", "/items", "page=2&q=a%20b"), (request.Method, request.Target, request.Path, request.Query));
        Assert.Equal("localhost", request.Host);
        Assert.Equal("application/json", request.Headers["accept"]);
        Assert.True(request.KeepAlive);
        Assert.True(request.Body.IsEmpty);
    }

    [Fact]
    public void A_given_host_is_kept_alone()
    {
        var request = TestRequests.Get("/", ("Host", "api.example.com"));

        Assert.Equal("api.example.com", request.Host);
        Assert.Single(request.Headers.GetValues("Host"));
    }

    [Fact]
    public void Post_carries_its_body_with_type_and_length()
    {
        var request = TestRequests.Post("/echo", "{\"a\":1}", "application/json");

        Assert.Equal("POST", request.Method);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(request.Body.Span));
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal("7", request.Headers["Content-Length"]);
    }

    [Fact]
    public void A_target_that_is_not_origin_form_is_refused()
    {
        Assert.Throws<ArgumentException>(() => TestRequests.Get("items"));
    }
}
